// StoreCheck is the Java side of package judge: it lets the JDK itself judge the
// keystores uccert writes. Java 17, no libraries, one file, default package.
//
// Passwords are never taken from the command line: a password argument is
// "env:NAME" (the variable holds the hex of the password's UTF-8 bytes),
// "hex:HEX", or else the literal text (for manual use only).
//
// Subcommands:
//   list FILE TYPE STOREPASS [KEYPASS]
//   tls-server KEYSTORE KSTYPE KSPASS TRUSTSTORE TSTYPE TSPASS PORTFILE
//   tls-client HOST PORT SNI KEYSTORE KSTYPE KSPASS TRUSTSTORE TSTYPE TSPASS
//   served KEYSTORE KSTYPE KSPASS KMALG SNI
//       one handshake inside this JVM: a server whose key manager is KMALG
//       ("PKIX", "SunX509", or "default" for KeyManagerFactory.getDefaultAlgorithm())
//       and a client that sends SNI and trusts anything; prints "kmf:<algorithm>"
//       and "served:<alias>\t<sha256>" (the alias of the store's entry whose
//       certificate the server presented)
//   tls-loop HOST PORT SNI KEYSTORE KSTYPE KSPASS TRUSTSTORE TSTYPE TSPASS SECONDS
//     full handshakes one after the other until stdin ends or SECONDS pass;
//     one line per handshake: "ok START END SERIAL" or "fail START END REASON"
//     (START, END: milliseconds since the epoch; SERIAL: the server leaf's
//     serial number in lowercase hex), then "done".
//
// Exit codes: 0 ok, 1 internal error, 2 keystore load failed, 3 TLS handshake
// failed (client), 64 usage.

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

public final class StoreCheck {
    private static final PrintStream OUT =
            new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    private static final PrintStream ERR =
            new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);

    /** Thrown when a keystore cannot be loaded: exit code 2. */
    private static final class LoadFailure extends Exception {
        private static final long serialVersionUID = 1L;

        LoadFailure(String file, Exception cause) {
            super(file + ": " + describeChain(cause), cause);
        }
    }

    public static void main(String[] args) {
        // A store must really be of the type it is opened as: without this, Java's
        // "keystore.type.compat" lets KeyStore.getInstance("JKS") read PKCS#12 and
        // the reverse, and a wrong store type would go unnoticed.
        Security.setProperty("keystore.type.compat", "false");
        if (args.length == 0) {
            usage();
        }
        try {
            switch (args[0]) {
                case "list":
                    if (args.length != 4 && args.length != 5) {
                        usage();
                    }
                    list(args[1], args[2], password(args[3]), args.length == 5 ? password(args[4]) : null);
                    break;
                case "tls-server":
                    if (args.length != 8) {
                        usage();
                    }
                    tlsServer(args[1], args[2], password(args[3]), args[4], args[5], password(args[6]), args[7]);
                    break;
                case "served":
                    if (args.length != 6) {
                        usage();
                    }
                    served(args[1], args[2], password(args[3]), args[4], args[5]);
                    break;
                case "tls-loop":
                    if (args.length != 11) {
                        usage();
                    }
                    tlsLoop(args[1], Integer.parseInt(args[2]), args[3],
                            args[4], args[5], password(args[6]), args[7], args[8], password(args[9]),
                            Integer.parseInt(args[10]));
                    break;
                case "tls-client":
                    if (args.length != 10) {
                        usage();
                    }
                    System.exit(tlsClient(args[1], Integer.parseInt(args[2]), args[3],
                            args[4], args[5], password(args[6]), args[7], args[8], password(args[9])));
                    break;
                default:
                    usage();
            }
        } catch (LoadFailure e) {
            ERR.println("load-error:" + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            ERR.println("internal-error:" + describeChain(e));
            e.printStackTrace(ERR);
            System.exit(1);
        }
    }

    private static void usage() {
        ERR.println("usage: StoreCheck list FILE TYPE STOREPASS [KEYPASS]");
        ERR.println("       StoreCheck tls-server KEYSTORE KSTYPE KSPASS TRUSTSTORE TSTYPE TSPASS PORTFILE");
        ERR.println("       StoreCheck tls-client HOST PORT SNI KEYSTORE KSTYPE KSPASS TRUSTSTORE TSTYPE TSPASS");
        ERR.println("       StoreCheck served KEYSTORE KSTYPE KSPASS KMALG SNI");
        ERR.println("       StoreCheck tls-loop HOST PORT SNI KEYSTORE KSTYPE KSPASS TRUSTSTORE TSTYPE TSPASS SECONDS");
        ERR.println("passwords: env:NAME (hex of UTF-8 in NAME), hex:HEX, or literal text");
        System.exit(64);
    }

    private static char[] password(String arg) {
        String hex;
        if (arg.startsWith("env:")) {
            hex = System.getenv(arg.substring(4));
            if (hex == null) {
                throw new IllegalArgumentException("password variable " + arg.substring(4) + " is not set");
            }
        } else if (arg.startsWith("hex:")) {
            hex = arg.substring(4);
        } else {
            return arg.toCharArray();
        }
        byte[] utf8 = HexFormat.of().parseHex(hex);
        return new String(utf8, StandardCharsets.UTF_8).toCharArray();
    }

    private static KeyStore load(String file, String type, char[] pass) throws Exception {
        KeyStore ks = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Paths.get(file))) {
            ks.load(in, pass);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new LoadFailure(file, e);
        }
        return ks;
    }

    private static void list(String file, String type, char[] storePass, char[] keyPass) throws Exception {
        KeyStore ks = load(file, type, storePass);
        List<String> aliases = Collections.list(ks.aliases());
        Collections.sort(aliases);
        for (String alias : aliases) {
            OUT.println(describeEntry(ks, alias, keyPass != null ? keyPass : storePass));
        }
    }

    private static String describeEntry(KeyStore ks, String alias, char[] keyPass) throws Exception {
        String kind;
        int chainLen;
        Certificate leaf = ks.getCertificate(alias);
        if (ks.entryInstanceOf(alias, KeyStore.PrivateKeyEntry.class)) {
            kind = "PrivateKeyEntry";
            Certificate[] chain = ks.getCertificateChain(alias);
            chainLen = chain == null ? 0 : chain.length;
        } else if (ks.entryInstanceOf(alias, KeyStore.TrustedCertificateEntry.class)) {
            kind = "trustedCertEntry";
            chainLen = 1;
        } else if (ks.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class)) {
            kind = "SecretKeyEntry";
            chainLen = 0;
        } else {
            kind = "unknown";
            chainLen = 0;
        }
        String sha = leaf == null ? "-" : sha256(leaf.getEncoded());
        String keyAlg = leaf == null ? "-" : leaf.getPublicKey().getAlgorithm();
        String status = "ok";
        if (ks.isKeyEntry(alias)) {
            try {
                Key key = ks.getKey(alias, keyPass);
                if (key == null) {
                    status = "error:null:getKey returned no key";
                } else if (key instanceof PrivateKey) {
                    if (leaf == null) {
                        status = "error:null:private key entry without a certificate";
                    } else {
                        status = signAndVerify((PrivateKey) key, leaf.getPublicKey());
                    }
                } else if (leaf == null) {
                    keyAlg = key.getAlgorithm();
                }
            } catch (Exception e) {
                status = "error:" + describe(e);
            }
        }
        return clean(alias) + "\t" + kind + "\t" + chainLen + "\t" + sha + "\t" + keyAlg + "\t" + status;
    }

    /** Signs 32 random bytes with the key and verifies with the certificate's key. */
    private static String signAndVerify(PrivateKey key, PublicKey pub) throws Exception {
        String alg;
        switch (key.getAlgorithm()) {
            case "RSA":
                alg = "SHA256withRSA";
                break;
            case "EC":
                alg = "SHA256withECDSA";
                break;
            case "EdDSA":
            case "Ed25519":
                alg = "Ed25519";
                break;
            case "DSA":
                alg = "SHA256withDSA";
                break;
            default:
                return "error:unsupported:no signature algorithm for key algorithm " + clean(key.getAlgorithm());
        }
        byte[] data = new byte[32];
        new SecureRandom().nextBytes(data);
        Signature signer = Signature.getInstance(alg);
        signer.initSign(key);
        signer.update(data);
        byte[] sig = signer.sign();
        Signature verifier = Signature.getInstance(alg);
        verifier.initVerify(pub);
        verifier.update(data);
        if (!verifier.verify(sig)) {
            return "error:mismatch:the private key does not belong to the leaf certificate";
        }
        return "ok";
    }

    private static SSLContext context(String ksFile, String ksType, char[] ksPass,
                                      String tsFile, String tsType, char[] tsPass) throws Exception {
        return context(managers(ksFile, ksType, ksPass, tsFile, tsType, tsPass));
    }

    /** A new context (with its own, empty session cache) on the managers. */
    private static SSLContext context(Object[][] managers) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init((javax.net.ssl.KeyManager[]) managers[0], (TrustManager[]) managers[1], null);
        return ctx;
    }

    /** The key managers and the (recording) trust managers of the stores. */
    private static Object[][] managers(String ksFile, String ksType, char[] ksPass,
                                       String tsFile, String tsType, char[] tsPass) throws Exception {
        KeyStore ks = load(ksFile, ksType, ksPass);
        KeyStore ts = load(tsFile, tsType, tsPass);
        // PKIX (not SunX509): chooses among several key entries by key type,
        // certificate validity and the SNI host name.
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, ksPass);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        TrustManager[] tms = tmf.getTrustManagers();
        for (int i = 0; i < tms.length; i++) {
            if (tms[i] instanceof X509ExtendedTrustManager) {
                tms[i] = new Recorder((X509ExtendedTrustManager) tms[i]);
            }
        }
        return new Object[][] {kmf.getKeyManagers(), tms};
    }

    /** The SHA-256 of the last server leaf seen, even when it was then refused. */
    private static volatile String lastServerLeaf;

    /** The last server leaf seen (tls-loop), even when it was then refused. */
    private static volatile X509Certificate lastServerCert;

    /** Delegates to the PKIX trust manager, remembering the server's leaf first. */
    private static final class Recorder extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager tm;

        Recorder(X509ExtendedTrustManager tm) {
            this.tm = tm;
        }

        private static void record(X509Certificate[] chain) {
            lastServerCert = chain.length == 0 ? null : chain[0];
            try {
                lastServerLeaf = chain.length == 0 ? null : sha256(chain[0].getEncoded());
            } catch (Exception e) {
                lastServerLeaf = null;
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) throws CertificateException {
            tm.checkClientTrusted(chain, authType, s);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) throws CertificateException {
            tm.checkClientTrusted(chain, authType, e);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            tm.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) throws CertificateException {
            record(chain);
            tm.checkServerTrusted(chain, authType, s);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) throws CertificateException {
            record(chain);
            tm.checkServerTrusted(chain, authType, e);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            record(chain);
            tm.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return tm.getAcceptedIssuers();
        }
    }

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private static void tlsServer(String ksFile, String ksType, char[] ksPass,
                                  String tsFile, String tsType, char[] tsPass, String portFile) throws Exception {
        SSLContext ctx = context(ksFile, ksType, ksPass, tsFile, tsType, tsPass);
        try (SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            server.setNeedClientAuth(true);
            server.setEnabledProtocols(PROTOCOLS);
            Path target = Paths.get(portFile);
            Path tmp = Paths.get(portFile + ".tmp");
            Files.write(tmp, (server.getLocalPort() + "\n").getBytes(StandardCharsets.US_ASCII));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (int i = 0; i < 50; i++) {
                try (SSLSocket conn = (SSLSocket) server.accept()) {
                    conn.setSoTimeout(20_000);
                    try {
                        conn.startHandshake();
                        BufferedReader in = new BufferedReader(
                                new InputStreamReader(conn.getInputStream(), StandardCharsets.UTF_8));
                        in.readLine();
                        Certificate[] peer = conn.getSession().getPeerCertificates();
                        OutputStream out = conn.getOutputStream();
                        out.write(("server-saw-client:" + sha256(peer[0].getEncoded()) + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    } catch (IOException e) {
                        ERR.println("connection " + i + ": " + describeChain(e));
                    }
                }
            }
        }
    }

    private static int tlsClient(String host, int port, String sni,
                                 String ksFile, String ksType, char[] ksPass,
                                 String tsFile, String tsType, char[] tsPass) throws Exception {
        SSLContext ctx = context(ksFile, ksType, ksPass, tsFile, tsType, tsPass);
        try (Socket plain = new Socket()) {
            plain.connect(new java.net.InetSocketAddress(host, port), 20_000);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, false)) {
                s.setSoTimeout(20_000);
                SSLParameters params = s.getSSLParameters();
                params.setProtocols(PROTOCOLS);
                params.setServerNames(List.of(new SNIHostName(sni)));
                // Checks the server certificate against the SNI name (then the host).
                params.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(params);
                try {
                    s.startHandshake();
                    Certificate[] peer = s.getSession().getPeerCertificates();
                    String serverSha = sha256(peer[0].getEncoded());
                    OutputStream out = s.getOutputStream();
                    out.write("hello from StoreCheck\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    // With TLS 1.3 the server rejects our certificate only after our
                    // handshake is done: the alert arrives here.
                    String reply = in.readLine();
                    if (reply == null) {
                        OUT.println("handshake-error:java.io.EOFException:server closed the connection without a reply");
                        return 3;
                    }
                    OUT.println("server-cert:" + serverSha);
                    OUT.println(reply);
                    return 0;
                } catch (IOException e) {
                    // SSLException, or a reset when the peer aborts the handshake.
                    String seen = lastServerLeaf;
                    OUT.println("handshake-error:" + describeChain(e)
                            + (seen == null ? "" : "; server presented " + seen));
                    return 3;
                }
            }
        }
    }

    /** Trusts every server and remembers the leaf it presented. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        volatile X509Certificate leaf;

        private void record(X509Certificate[] chain) {
            leaf = chain.length == 0 ? null : chain[0];
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) {
            record(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) {
            record(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            record(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /**
     * Which entry a JSSE server with the key manager kmAlg presents to a client
     * that asks for sni: a server and a client in this JVM, one handshake over
     * loopback.
     */
    private static void served(String ksFile, String ksType, char[] ksPass, String kmAlg, String sni) throws Exception {
        KeyStore ks = load(ksFile, ksType, ksPass);
        String alg = kmAlg.equals("default") ? KeyManagerFactory.getDefaultAlgorithm() : kmAlg;
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(alg);
        kmf.init(ks, ksPass);
        SSLContext serverCtx = SSLContext.getInstance("TLS");
        serverCtx.init(kmf.getKeyManagers(), null, null);
        TrustAll trust = new TrustAll();
        SSLContext clientCtx = SSLContext.getInstance("TLS");
        clientCtx.init(null, new TrustManager[] {trust}, null);
        try (SSLServerSocket server = (SSLServerSocket) serverCtx.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            server.setEnabledProtocols(PROTOCOLS);
            Thread accept = new Thread(() -> {
                try (SSLSocket conn = (SSLSocket) server.accept()) {
                    conn.setSoTimeout(20_000);
                    conn.startHandshake();
                    conn.getInputStream().read();
                } catch (IOException e) {
                    ERR.println("server: " + describeChain(e));
                }
            });
            accept.start();
            try (SSLSocket s = (SSLSocket) clientCtx.getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
                s.setSoTimeout(20_000);
                SSLParameters params = s.getSSLParameters();
                params.setProtocols(PROTOCOLS);
                params.setServerNames(List.of(new SNIHostName(sni)));
                s.setSSLParameters(params);
                s.startHandshake();
                s.getOutputStream().write('x');
                s.getOutputStream().flush();
            }
            accept.join(30_000);
        }
        if (trust.leaf == null) {
            throw new IllegalStateException("the server presented no certificate");
        }
        String sha = sha256(trust.leaf.getEncoded());
        String alias = "-";
        for (String a : Collections.list(ks.aliases())) {
            Certificate c = ks.getCertificate(a);
            if (ks.isKeyEntry(a) && c != null && sha256(c.getEncoded()).equals(sha)) {
                alias = a;
            }
        }
        OUT.println("kmf:" + alg);
        OUT.println("served:" + clean(alias) + "\t" + sha);
    }

    /**
     * tls-loop: full mutual-TLS handshakes with the server, one after the
     * other, each on a new connection (and a new context, whose session
     * cache is empty: no session is resumed, each handshake must show the
     * certificate the server presents now). The server must answer each
     * with a line.
     */
    private static void tlsLoop(String host, int port, String sni,
                                String ksFile, String ksType, char[] ksPass,
                                String tsFile, String tsType, char[] tsPass, int seconds) throws Exception {
        Object[][] managers = managers(ksFile, ksType, ksPass, tsFile, tsType, tsPass);
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for the end of input
                }
            } catch (IOException e) {
                // the end, too
            }
        });
        stdin.setDaemon(true);
        stdin.start();
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (stdin.isAlive() && System.currentTimeMillis() < deadline) {
            lastServerCert = null;
            SSLContext ctx = context(managers);
            long start = System.currentTimeMillis();
            String result;
            try (Socket plain = new Socket()) {
                plain.connect(new java.net.InetSocketAddress(host, port), 20_000);
                try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, false)) {
                    s.setSoTimeout(20_000);
                    SSLParameters params = s.getSSLParameters();
                    params.setProtocols(PROTOCOLS);
                    params.setServerNames(List.of(new SNIHostName(sni)));
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                    s.setSSLParameters(params);
                    s.startHandshake();
                    X509Certificate seen = lastServerCert;
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    String reply = in.readLine();
                    if (seen == null) {
                        result = "fail " + start + " " + System.currentTimeMillis() + " no certificate received (session resumed)";
                    } else if (reply == null) {
                        result = "fail " + start + " " + System.currentTimeMillis() + " server closed the connection without a reply";
                    } else {
                        result = "ok " + start + " " + System.currentTimeMillis() + " " + seen.getSerialNumber().toString(16);
                    }
                }
            } catch (IOException e) {
                result = "fail " + start + " " + System.currentTimeMillis() + " " + describeChain(e);
            }
            OUT.println(result);
        }
        OUT.println("done");
    }

    private static String sha256(byte[] der) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
    }

    private static String describe(Throwable e) {
        return e.getClass().getName() + ":" + clean(String.valueOf(e.getMessage()));
    }

    /** The exception and its causes: "class:message; cause class:message". */
    private static String describeChain(Throwable e) {
        StringBuilder b = new StringBuilder(describe(e));
        List<Throwable> seen = new ArrayList<>();
        seen.add(e);
        for (Throwable c = e.getCause(); c != null && !seen.contains(c); c = c.getCause()) {
            seen.add(c);
            b.append("; cause ").append(describe(c));
        }
        return b.toString();
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
