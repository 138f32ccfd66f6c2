// OpenSSL's libcrypto (Debian's libssl-dev): HMAC-SHA256 for signing Jupyter messages and
// CRYPTO_memcmp for comparing signatures in constant time.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
