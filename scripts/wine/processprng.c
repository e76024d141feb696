/* Test-only stand-in for bcryptprimitives.dll's ProcessPrng, which Rust's standard library (1.78+)
 * imports on Windows and Wine 8 does not provide. It fills the buffer from the system RNG through
 * BCryptGenRandom, which Wine has. Built by scripts/lib/wine.sh into a private Wine prefix for the
 * Windows tests; never shipped. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
