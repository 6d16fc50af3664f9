// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests of the JSON writer: whatever bytes come in, what goes out is
 * valid UTF-8 and valid JSON, with the documented escapes. */
#include <math.h>
#include <stdlib.h>
#include "json.h"
#include "tap.h"

/* A strict UTF-8 check written apart from the writer's: decode, then
 * reject overlong forms, surrogates and code points past U+10FFFF by
 * value. */
static int utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned cp, n, min;

		if (*s < 0x80) {
			s++;
			continue;
		} else if ((*s & 0xe0) == 0xc0) {
			cp = *s & 0x1f, n = 1, min = 0x80;
		} else if ((*s & 0xf0) == 0xe0) {
			cp = *s & 0x0f, n = 2, min = 0x800;
		} else if ((*s & 0xf8) == 0xf0) {
			cp = *s & 0x07, n = 3, min = 0x10000;
		} else {
			return 0;
		}
		for (unsigned i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += n + 1;
	}
	return 1;
}

/* The JSON string literal the writer makes of s (a static buffer). */
static const char *lit(const char *s)
{
	static char buf[1024];
	struct sg_json j;

	sg_json_to_buf(&j, buf, sizeof(buf));
	sg_json_string(&j, s);
	return buf;
}

static void test_every_byte(void)
{
	int bad_utf8 = 0, bad_escape = 0;

	for (unsigned b = 1; b < 256; b++) {
		char in[4] = { 'a', (char)b, 'z', 0 }, want[16];
		const char *got = lit(in);

		if (b == '"' || b == '\\')
			snprintf(want, sizeof(want), "\"a\\%cz\"", b);
		else if (b < 0x20 || b >= 0x7f)  /* a lone byte >= 0x80 is never valid UTF-8 */
			snprintf(want, sizeof(want), "\"a\\u%04xz\"", b);
		else
			snprintf(want, sizeof(want), "\"a%cz\"", b);
		bad_utf8 += !utf8_valid(got);
		if (strcmp(got, want)) {
			bad_escape++;
			printf("# byte 0x%02x: got %s want %s\n", b, got, want);
		}
	}
	OK(!bad_utf8, "every byte 0x01-0xff alone: valid UTF-8 out");
	OK(!bad_escape, "every byte 0x01-0xff alone: escaped as documented");
}

/* Every two- and three-byte string of bytes >= 0x80 (and a sample of
 * four): valid UTF-8 out, and a valid sequence passes unchanged. */
static void test_every_sequence(void)
{
	int bad = 0, changed = 0;

	for (unsigned a = 0x80; a < 256; a++)
		for (unsigned b = 0x01; b < 256; b++)
			for (unsigned c = 0x7f; c < 256; c += (a >= 0xe0 ? 1 : 0x80)) {
				char in[5] = { (char)a, (char)b, (char)c, (char)0x80, 0 };
				const char *got = lit(in);

				bad += !utf8_valid(got);
				/* in valid and free of C1 controls: passes as is */
				if (utf8_valid(in) && !(a == 0xc2 && b < 0xa0) &&
				    (strlen(got) != strlen(in) + 2 || memcmp(got + 1, in, strlen(in))))
					changed++;
			}
	OK(!bad, "every 2-3 byte sequence of high bytes: valid UTF-8 out");
	OK(!changed, "valid UTF-8 passes unchanged");
}

static void test_sequences(void)
{
	STR_EQ(lit("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
	       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", "2, 3 and 4-byte characters pass");
	STR_EQ(lit("\xed\xa0\x80\xed\xbf\xbf"),
	       "\"\\u00ed\\u00a0\\u0080\\u00ed\\u00bf\\u00bf\"", "UTF-16 surrogates are escaped bytes");
	STR_EQ(lit("\xed\x9f\xbf\xee\x80\x80"), "\"\xed\x9f\xbf\xee\x80\x80\"",
	       "U+D7FF and U+E000 around the surrogates pass");
	STR_EQ(lit("\xc0\xaf\xc1\xbf"), "\"\\u00c0\\u00af\\u00c1\\u00bf\"", "overlong 2-byte forms");
	STR_EQ(lit("\xe0\x80\xaf"), "\"\\u00e0\\u0080\\u00af\"", "overlong 3-byte form");
	STR_EQ(lit("\xf0\x80\x80\xaf"), "\"\\u00f0\\u0080\\u0080\\u00af\"", "overlong 4-byte form");
	STR_EQ(lit("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"", "U+10FFFF passes");
	STR_EQ(lit("\xf4\x90\x80\x80"), "\"\\u00f4\\u0090\\u0080\\u0080\"", "past U+10FFFF");
	STR_EQ(lit("\xf5\x80\x80\x80"), "\"\\u00f5\\u0080\\u0080\\u0080\"", "lead byte F5");
	STR_EQ(lit("\xe2\x82"), "\"\\u00e2\\u0082\"", "a sequence cut by the end");
	STR_EQ(lit("\xe2\x82z\xc3"), "\"\\u00e2\\u0082z\\u00c3\"", "a sequence cut by ASCII");
	STR_EQ(lit("\xc2\x85\xc2\x9f\xc2\xa0"), "\"\\u0085\\u009f\xc2\xa0\"",
	       "C1 controls escaped, U+00A0 passes");
	STR_EQ(lit("a\"b\\c\n\t\x01\x1f\x7f/"), "\"a\\\"b\\\\c\\u000a\\u0009\\u0001\\u001f\\u007f/\"",
	       "quote, backslash and controls");
	STR_EQ(lit(""), "\"\"", "empty string");
	STR_EQ(lit(NULL), "null", "NULL is null");
}

static void test_strn(void)
{
	char comm[16], buf[128];
	struct sg_json j;

	memcpy(comm, "0123456789abcdef", 16); /* no NUL: all 16 bytes used */
	sg_json_to_buf(&j, buf, sizeof(buf));
	sg_json_stringn(&j, comm, sizeof(comm));
	STR_EQ(buf, "\"0123456789abcdef\"", "stringn reads n bytes at most");
	sg_json_to_buf(&j, buf, sizeof(buf));
	sg_json_stringn(&j, "ab\0cd", 5);
	STR_EQ(buf, "\"ab\"", "stringn stops at a NUL");
	sg_json_to_buf(&j, buf, sizeof(buf));
	sg_json_stringn(&j, "\xe2\x82\xac", 2);
	STR_EQ(buf, "\"\\u00e2\\u0082\"", "a sequence cut by n is escaped, never read past n");
}

static void test_structure(void)
{
	char buf[256];
	struct sg_json j;

	sg_json_to_buf(&j, buf, sizeof(buf));
	sg_json_open(&j, '{');
	sg_json_kuint(&j, "a", 18446744073709551615ULL);
	sg_json_key(&j, "b");
	sg_json_open(&j, '[');
	sg_json_uint(&j, 1);
	sg_json_string(&j, "x");
	sg_json_null(&j);
	sg_json_bool(&j, true);
	sg_json_bool(&j, false);
	sg_json_open(&j, '[');
	sg_json_close(&j, ']');
	sg_json_close(&j, ']');
	sg_json_key(&j, "c");
	sg_json_open(&j, '{');
	sg_json_close(&j, '}');
	sg_json_key(&j, "t");
	sg_json_ms(&j, 1700000000.5);
	sg_json_key(&j, "n");
	sg_json_ms(&j, NAN);
	sg_json_kstr(&j, "k\"", "v");
	sg_json_key(&j, "r");
	sg_json_raw(&j, "[\"ringbuf\"]");
	sg_json_close(&j, '}');
	STR_EQ(buf, "{\"a\":18446744073709551615,\"b\":[1,\"x\",null,true,false,[]],\"c\":{},"
		    "\"t\":1700000000.500,\"n\":null,\"k\\\"\":\"v\",\"r\":[\"ringbuf\"]}",
	       "commas, nesting, numbers, keys escaped");
	OK(!j.truncated, "not truncated");
}

static void test_truncation(void)
{
	int cut_badly = 0;

	/* Every buffer size: the output is a prefix of the full one, ends on
	 * a whole token (never half an escape or half a character). */
	for (size_t cap = 1; cap < 40; cap++) {
		char buf[40], full[64];
		struct sg_json j;

		sg_json_to_buf(&j, full, sizeof(full));
		sg_json_string(&j, "\xe2\x82\xac\xff\"x");
		sg_json_to_buf(&j, buf, cap);
		sg_json_string(&j, "\xe2\x82\xac\xff\"x");
		if (strlen(buf) >= cap || strncmp(full, buf, strlen(buf)) || !utf8_valid(buf) ||
		    (strlen(buf) < strlen(full) && !j.truncated) ||
		    (buf[0] && strchr("\"\xac\x66x", buf[strlen(buf) - 1]) == NULL)) {
			cut_badly++;
			printf("# cap %zu: %s\n", cap, buf);
		}
	}
	OK(!cut_badly, "a small buffer cuts between tokens only");
}

static void test_stream(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	sg_json_str(f, "a\xff\xc3\xa9");
	fclose(f);
	STR_EQ(buf, "\"a\\u00ff\xc3\xa9\"", "sg_json_str to a stream uses the same escaping");
	free(buf);
}

int main(void)
{
	test_every_byte();
	test_every_sequence();
	test_sequences();
	test_strn();
	test_structure();
	test_truncation();
	test_stream();
	return tap_done();
}
