package kdc

// The Kerberos messages of an AS exchange (RFC 4120 5.2, 5.4.1, 5.4.2 and
// 5.9.1), with their application tags (RFC 4120 5.10). They are defined
// here rather than taken from gokrb5's messages package, which links
// gokrb5's credentials (encoding/gob) and pac (jcmturner/rpc,
// golang.org/x/net/http2/hpack) packages: their init functions cost every
// start of a program that links this package (TestLinkedPackages).
//
// Only what an AS exchange needs is here: the AS-REQ is only encoded, the
// AS-REP, its encrypted part and the KRB-ERROR only decoded. The encoder
// is github.com/jcmturner/gofork/encoding/asn1, which gokrb5's types and
// config use too: unlike encoding/asn1 it writes a Go string as a
// GeneralString (Realm and KerberosString, RFC 4120 5.2.1).

import (
	"errors"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/iana"
	"github.com/jcmturner/gokrb5/v8/iana/asnAppTag"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/types"
)

// paData is PA-DATA (RFC 4120 5.2.7); its tags start at 1.
type paData struct {
	Type  int32  `asn1:"explicit,tag:1"`
	Value []byte `asn1:"explicit,tag:2"`
}

// kdcReq is KDC-REQ (RFC 4120 5.4.1); an AS-REQ is [APPLICATION 10]
// KDC-REQ. Its padata are omitted when empty.
type kdcReq struct {
	PVNO    int        `asn1:"explicit,tag:1"`
	MsgType int        `asn1:"explicit,tag:2"`
	PAData  []paData   `asn1:"explicit,optional,tag:3"`
	ReqBody kdcReqBody `asn1:"explicit,tag:4"`
}

// kdcReqBody is KDC-REQ-BODY (RFC 4120 5.4.1) without the fields an
// AS-REQ for a TGT leaves out: from [4], addresses [9],
// enc-authorization-data [10] and additional-tickets [11]. A zero RTime
// is left out too.
type kdcReqBody struct {
	KDCOptions asn1.BitString      `asn1:"explicit,tag:0"`
	CName      types.PrincipalName `asn1:"explicit,optional,tag:1"`
	Realm      string              `asn1:"generalstring,explicit,tag:2"`
	SName      types.PrincipalName `asn1:"explicit,optional,tag:3"`
	Till       time.Time           `asn1:"generalized,explicit,tag:5"`
	RTime      time.Time           `asn1:"generalized,explicit,optional,tag:6"`
	Nonce      int64               `asn1:"explicit,tag:7"`
	EType      []int32             `asn1:"explicit,tag:8"`
}

// kdcRep is KDC-REP (RFC 4120 5.4.2); an AS-REP is [APPLICATION 11]
// KDC-REP. The ticket is kept as it came: the client only passes it on.
// asn1 ignores the parameters of a RawValue field, so Ticket holds the
// [5] around the Ticket, which unmarshalASRep checks.
type kdcRep struct {
	PVNO    int                 `asn1:"explicit,tag:0"`
	MsgType int                 `asn1:"explicit,tag:1"`
	PAData  []paData            `asn1:"explicit,optional,tag:2"`
	CRealm  string              `asn1:"generalstring,explicit,tag:3"`
	CName   types.PrincipalName `asn1:"explicit,tag:4"`
	Ticket  asn1.RawValue       `asn1:"explicit,tag:5"`
	EncPart types.EncryptedData `asn1:"explicit,tag:6"`
}

// encKDCRepPart is EncKDCRepPart (RFC 4120 5.4.2), the plaintext of an
// AS-REP's enc-part: [APPLICATION 25] (EncASRepPart), or [APPLICATION 26]
// as some KDCs send in an AS-REP too (RFC 4120 5.4.2 allows it). Fields
// after those listed (RFC 6806's encrypted-pa-data [12]) are skipped.
type encKDCRepPart struct {
	Key           types.EncryptionKey `asn1:"explicit,tag:0"`
	LastReqs      []lastReq           `asn1:"explicit,tag:1"`
	Nonce         int64               `asn1:"explicit,tag:2"`
	KeyExpiration time.Time           `asn1:"generalized,explicit,optional,tag:3"`
	Flags         asn1.BitString      `asn1:"explicit,tag:4"`
	AuthTime      time.Time           `asn1:"generalized,explicit,tag:5"`
	StartTime     time.Time           `asn1:"generalized,explicit,optional,tag:6"`
	EndTime       time.Time           `asn1:"generalized,explicit,tag:7"`
	RenewTill     time.Time           `asn1:"generalized,explicit,optional,tag:8"`
	SRealm        string              `asn1:"generalstring,explicit,tag:9"`
	SName         types.PrincipalName `asn1:"explicit,tag:10"`
	CAddr         []hostAddress       `asn1:"explicit,optional,tag:11"`
}

// lastReq is an element of LastReq (RFC 4120 5.4.2).
type lastReq struct {
	Type  int32     `asn1:"explicit,tag:0"`
	Value time.Time `asn1:"generalized,explicit,tag:1"`
}

// hostAddress is HostAddress (RFC 4120 5.2.5).
type hostAddress struct {
	AddrType int32  `asn1:"explicit,tag:0"`
	Address  []byte `asn1:"explicit,tag:1"`
}

// krbError is KRB-ERROR (RFC 4120 5.9.1), [APPLICATION 30].
type krbError struct {
	PVNO      int                 `asn1:"explicit,tag:0"`
	MsgType   int                 `asn1:"explicit,tag:1"`
	CTime     time.Time           `asn1:"generalized,explicit,optional,tag:2"`
	Cusec     int                 `asn1:"explicit,optional,tag:3"`
	STime     time.Time           `asn1:"generalized,explicit,tag:4"`
	Susec     int                 `asn1:"explicit,tag:5"`
	ErrorCode int32               `asn1:"explicit,tag:6"`
	CRealm    string              `asn1:"generalstring,explicit,optional,tag:7"`
	CName     types.PrincipalName `asn1:"explicit,optional,tag:8"`
	Realm     string              `asn1:"generalstring,explicit,tag:9"`
	SName     types.PrincipalName `asn1:"explicit,tag:10"`
	EText     string              `asn1:"generalstring,explicit,optional,tag:11"`
	EData     []byte              `asn1:"explicit,optional,tag:12"`
}

// paEncTSEnc is PA-ENC-TS-ENC (RFC 4120 5.2.7.2), the plaintext of
// PA-ENC-TIMESTAMP.
type paEncTSEnc struct {
	Timestamp time.Time `asn1:"generalized,explicit,tag:0"`
	USec      int       `asn1:"explicit,optional,tag:1"`
}

// etypeInfo2Entry is ETYPE-INFO2-ENTRY (RFC 4120 5.2.7.5); PA-ETYPE-INFO2
// is a SEQUENCE OF them.
type etypeInfo2Entry struct {
	EType     int32  `asn1:"explicit,tag:0"`
	Salt      string `asn1:"generalstring,explicit,optional,tag:1"`
	S2KParams []byte `asn1:"explicit,optional,tag:2"`
}

// etypeInfoEntry is ETYPE-INFO-ENTRY (RFC 4120 5.2.7.4), the older
// PA-ETYPE-INFO's, whose salt is an OCTET STRING.
type etypeInfoEntry struct {
	EType int32  `asn1:"explicit,tag:0"`
	Salt  []byte `asn1:"explicit,optional,tag:1"`
}

// errMessage: bytes that are not the expected Kerberos message. The
// caller says which message in words; asn1's text stays out of errors.
var errMessage = errors.New("not a valid Kerberos message")

// marshalApp encodes v wrapped in [APPLICATION tag].
func marshalApp(tag int, v any) ([]byte, error) {
	b, err := asn1.Marshal(v)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassApplication, Tag: tag, IsCompound: true, Bytes: b})
}

// unmarshalApp decodes b, [APPLICATION tag] around the SEQUENCE v. Bytes
// after the SEQUENCE are ignored, as gokrb5's messages package does.
func unmarshalApp(b []byte, tag int, v any) error {
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(b, &outer); err != nil {
		return errMessage
	}
	if outer.Class != asn1.ClassApplication || outer.Tag != tag || !outer.IsCompound {
		return errMessage
	}
	if _, err := asn1.Unmarshal(outer.Bytes, v); err != nil {
		return errMessage
	}
	return nil
}

// marshalASReq encodes req as an AS-REQ.
func marshalASReq(req *kdcReq) ([]byte, error) {
	return marshalApp(asnAppTag.ASREQ, *req)
}

// unmarshalASRep decodes an AS-REP whose protocol version and message
// type are right, and whose ticket is a Ticket.
func unmarshalASRep(b []byte) (*kdcRep, error) {
	var rep kdcRep
	if err := unmarshalApp(b, asnAppTag.ASREP, &rep); err != nil {
		return nil, err
	}
	if rep.PVNO != iana.PVNO || rep.MsgType != msgtype.KRB_AS_REP {
		return nil, errMessage
	}
	if t := rep.Ticket; t.Class != asn1.ClassContextSpecific || t.Tag != 5 || !t.IsCompound {
		return nil, errMessage
	}
	var t asn1.RawValue
	if _, err := asn1.Unmarshal(rep.Ticket.Bytes, &t); err != nil || t.Class != asn1.ClassApplication || t.Tag != asnAppTag.Ticket || !t.IsCompound {
		return nil, errMessage
	}
	return &rep, nil
}

// unmarshalKRBError decodes a KRB-ERROR whose protocol version and
// message type are right.
func unmarshalKRBError(b []byte) (*krbError, error) {
	var ke krbError
	if err := unmarshalApp(b, asnAppTag.KRBError, &ke); err != nil {
		return nil, err
	}
	if ke.PVNO != iana.PVNO || ke.MsgType != msgtype.KRB_ERROR {
		return nil, errMessage
	}
	return &ke, nil
}

// unmarshalEncASRepPart decodes the plaintext of an AS-REP's enc-part.
func unmarshalEncASRepPart(b []byte) (*encKDCRepPart, error) {
	var enc encKDCRepPart
	err := unmarshalApp(b, asnAppTag.EncASRepPart, &enc)
	if err != nil {
		enc = encKDCRepPart{}
		err = unmarshalApp(b, asnAppTag.EncTGSRepPart, &enc)
	}
	if err != nil {
		return nil, err
	}
	return &enc, nil
}

// unmarshalSequence decodes b, a SEQUENCE OF T (METHOD-DATA, ETYPE-INFO2,
// ETYPE-INFO); bytes after it are ignored, as gokrb5's types package does.
func unmarshalSequence[T any](b []byte) ([]T, error) {
	var out []T
	if _, err := asn1.Unmarshal(b, &out); err != nil {
		return nil, errMessage
	}
	return out, nil
}
