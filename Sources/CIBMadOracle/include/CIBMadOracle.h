// Test-only oracle: libibmad's own field codecs (mad_encode_field / mad_decode_field),
// against which every MADWire field is checked. Never linked into the library or tool.
#ifndef C_IBMAD_ORACLE_H
#define C_IBMAD_ORACLE_H

#include <stdint.h>
#include <infiniband/mad.h>

/// Where libibmad puts `field`: decodes a scratch buffer with one bit set at a time and
/// reports the first bit that reaches the value (counted from the most significant bit of
/// byte 0) and the number of such bits. Returns 0, or -1 if those bits are not one
/// contiguous run.
int CIBMadOracle_field_extent(int field, int *first_bit, int *width);

/// mad_encode_field into `buf` with the value bytes `val` (uint32_t for fields up to 32
/// bits, uint64_t for 64-bit fields, a byte array otherwise), as libibmad expects.
void CIBMadOracle_encode(int field, uint8_t *buf, const void *val);
void CIBMadOracle_decode(int field, uint8_t *buf, void *val);
const char *CIBMadOracle_field_name(int field);

#endif
