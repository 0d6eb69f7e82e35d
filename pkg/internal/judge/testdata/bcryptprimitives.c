/*
 * bcryptprimitives.dll for the Wine prefix of the tests (see ../wine.go,
 * which embeds this file; it lives in testdata/ because the go tool refuses
 * C files in a package that does not use cgo).
 *
 * Why it exists: the runtime of Go 1.24 and later loads bcryptprimitives.dll
 * from the Windows system directory and takes its ProcessPrng export as the
 * source of random bytes; without it every Go Windows program aborts at start
 * with "fatal error: bcryptprimitives.dll not found". Debian 12's Wine 8 has
 * no such DLL, so wine.go builds this file with x86_64-w64-mingw32-gcc and
 * copies it into the prefix's drive_c/windows/system32.
 *
 * ProcessPrng fills the buffer with random bytes and returns TRUE, as on
 * Windows 10; here the bytes come from advapi32's SystemFunction036
 * (RtlGenRandom), which Wine implements with the host's random source.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        length -= n;
    }
    return TRUE;
}
