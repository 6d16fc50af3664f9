// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <math.h>
#include <string.h>
#include "json.h"

void sg_json_to_file(struct sg_json *j, FILE *out)
{
	*j = (struct sg_json){ .out = out };
}

void sg_json_to_buf(struct sg_json *j, char *buf, size_t cap)
{
	*j = (struct sg_json){ .buf = buf, .cap = cap };
	buf[0] = '\0';
}

/* n bytes as one token: all of it, or (buffer full) none of it and nothing
 * after, so a cut output never ends inside an escape or a UTF-8 sequence. */
static void put(struct sg_json *j, const char *p, size_t n)
{
	if (j->out) {
		fwrite(p, 1, n, j->out);
		return;
	}
	if (j->truncated || j->len + n >= j->cap) {
		j->truncated = true;
		return;
	}
	memcpy(j->buf + j->len, p, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void put_str(struct sg_json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Before a key or a value that is not a member's value. */
static void sep(struct sg_json *j)
{
	if (j->comma)
		put(j, ",", 1);
	j->comma = true;
}

size_t sg_utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)           /* continuation byte, or overlong 2-byte lead */
		return 0;
	if (c < 0xe0)
		len = 2;
	else if (c < 0xf0)
		len = 3;
	else if (c < 0xf5)
		len = 4;
	else                    /* beyond U+10FFFF */
		return 0;
	/* The second byte's range rules out overlong forms (E0, F0),
	 * surrogates U+D800-U+DFFF (ED) and code points above U+10FFFF (F4). */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static void put_u00(struct sg_json *j, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	put(j, esc, sizeof(esc));
}

/* The escaped body of a string (no quotes). */
static void put_escaped(struct sg_json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	n = strnlen(str, n);
	while (i < n) {
		size_t len = sg_utf8_seq_len(s + i, n - i);

		if (len == 0 || s[i] < 0x20 || s[i] == 0x7f) {
			put_u00(j, s[i]);          /* invalid byte or C0 control */
			len = 1;
		} else if (s[i] == 0xc2 && s[i + 1] < 0xa0) {
			put_u00(j, s[i + 1]);      /* C1 control U+0080-U+009F */
		} else if (s[i] == '"' || s[i] == '\\') {
			char esc[2] = { '\\', str[i] };

			put(j, esc, sizeof(esc));
		} else {
			put(j, str + i, len);
		}
		i += len;
	}
}

void sg_json_stringn(struct sg_json *j, const char *s, size_t n)
{
	if (!s) {
		sg_json_null(j);
		return;
	}
	sep(j);
	put(j, "\"", 1);
	put_escaped(j, s, n);
	put(j, "\"", 1);
}

void sg_json_string(struct sg_json *j, const char *s)
{
	sg_json_stringn(j, s, s ? strlen(s) : 0);
}

void sg_json_key(struct sg_json *j, const char *key)
{
	sg_json_string(j, key);
	put(j, ":", 1);
	j->comma = false;
}

void sg_json_open(struct sg_json *j, char bracket)
{
	sep(j);
	put(j, &bracket, 1);
	j->comma = false;
}

void sg_json_close(struct sg_json *j, char bracket)
{
	put(j, &bracket, 1);
	j->comma = true;
}

void sg_json_raw(struct sg_json *j, const char *json)
{
	sep(j);
	put_str(j, json);
}

void sg_json_uint(struct sg_json *j, unsigned long long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", v);
	sg_json_raw(j, num);
}

void sg_json_ms(struct sg_json *j, double v)
{
	char num[48];

	if (!isfinite(v)) {
		sg_json_null(j);
		return;
	}
	snprintf(num, sizeof(num), "%.3f", v);
	sg_json_raw(j, num);
}

void sg_json_bool(struct sg_json *j, bool v)
{
	sg_json_raw(j, v ? "true" : "false");
}

void sg_json_null(struct sg_json *j)
{
	sg_json_raw(j, "null");
}

void sg_json_kstr(struct sg_json *j, const char *key, const char *s)
{
	sg_json_key(j, key);
	sg_json_string(j, s);
}

void sg_json_kuint(struct sg_json *j, const char *key, unsigned long long v)
{
	sg_json_key(j, key);
	sg_json_uint(j, v);
}

void sg_json_str(FILE *out, const char *s)
{
	struct sg_json j;

	sg_json_to_file(&j, out);
	sg_json_string(&j, s);
}
