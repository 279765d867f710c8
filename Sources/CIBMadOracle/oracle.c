#include "CIBMadOracle.h"
#include <string.h>

enum { SCRATCH = 512 };

int CIBMadOracle_field_extent(int field, int *first_bit, int *width)
{
	/* Probe with mad_decode_field, one set bit at a time: mad_encode_field does not mask
	 * values wider than the field (_set_field ORs the leftover high bits into the last
	 * byte), so encoding all-ones would overstate 20-bit FlowLabels and the like. */
	uint8_t buf[SCRATCH];
	uint8_t val[SCRATCH];
	int first = -1, last = -1, count = 0;

	for (int bit = 0; bit < SCRATCH * 8; bit++) {
		int hit = 0;

		memset(buf, 0, sizeof(buf));
		memset(val, 0, sizeof(val));
		buf[bit / 8] = 0x80 >> (bit % 8);
		mad_decode_field(buf, (enum MAD_FIELDS)field, val);
		for (int i = 0; i < SCRATCH && !hit; i++)
			hit = val[i] != 0;
		if (hit) {
			if (first < 0)
				first = bit;
			last = bit;
			count++;
		}
	}
	*first_bit = first;
	*width = count;
	return (count > 0 && last - first + 1 == count) ? 0 : -1;
}

void CIBMadOracle_encode(int field, uint8_t *buf, const void *val)
{
	mad_encode_field(buf, (enum MAD_FIELDS)field, (void *)val);
}

void CIBMadOracle_decode(int field, uint8_t *buf, void *val)
{
	mad_decode_field(buf, (enum MAD_FIELDS)field, val);
}

const char *CIBMadOracle_field_name(int field)
{
	return mad_field_name((enum MAD_FIELDS)field);
}
