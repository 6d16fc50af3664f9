/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one JSON writer: every --json output (status, check-config, stats,
 * log/monitor lines) goes through it, so every one is valid UTF-8 whatever
 * bytes a process name, user name or path holds. Pure (unit-tested).
 *
 * Strings: valid UTF-8 passes through; '"' and '\' are escaped; control
 * characters (U+0000-U+001F, U+007F-U+009F) become \u00XX; a byte that is
 * not part of a valid UTF-8 sequence (a stray continuation byte, an
 * overlong form, a UTF-16 surrogate, a code point above U+10FFFF, a cut
 * sequence) becomes \u00XX of the byte itself, i.e. its Latin-1 reading:
 * that is what `log --json` always did, and it keeps the byte value for an
 * investigation where U+FFFD would lose it.
 *
 * Commas are the writer's business: open/close an object or array, then
 * give keys and values in order.
 */
#ifndef SG_JSON_H
#define SG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct sg_json {
	FILE *out;       /* stream sink, or NULL for the buffer sink */
	char *buf;       /* buffer sink, always NUL-terminated */
	size_t cap, len;
	bool truncated;  /* the buffer was too small: output stopped at a whole token */
	bool comma;      /* the next key or value at this level needs a ',' */
};

/* Writes to a stream. */
void sg_json_to_file(struct sg_json *j, FILE *out);
/* Writes into buf (cap bytes, cap > 0). Never cuts a UTF-8 sequence or an
 * escape in two: past the end, j->truncated is set and nothing more is
 * written. */
void sg_json_to_buf(struct sg_json *j, char *buf, size_t cap);

/* '{' or '[' as a value; close with the same character. */
void sg_json_open(struct sg_json *j, char bracket);
void sg_json_close(struct sg_json *j, char bracket);
/* A member name; the next call gives its value. */
void sg_json_key(struct sg_json *j, const char *key);

/* Values. sg_json_string(NULL) is null; sg_json_stringn reads at most n
 * bytes and stops at a NUL (fixed-size kernel fields). */
void sg_json_string(struct sg_json *j, const char *s);
void sg_json_stringn(struct sg_json *j, const char *s, size_t n);
void sg_json_uint(struct sg_json *j, unsigned long long v);
/* Seconds with milliseconds: 1700000000.500 (null when not finite). */
void sg_json_ms(struct sg_json *j, double v);
void sg_json_bool(struct sg_json *j, bool v);
void sg_json_null(struct sg_json *j);
/* A ready JSON value made by the program itself (never from outside data). */
void sg_json_raw(struct sg_json *j, const char *json);

/* key + value in one call */
void sg_json_kstr(struct sg_json *j, const char *key, const char *s);
void sg_json_kuint(struct sg_json *j, const char *key, unsigned long long v);

/* One JSON string literal to a stream (for a lone value). */
void sg_json_str(FILE *out, const char *s);

/* Length of the valid UTF-8 sequence at s (at most n bytes): 1 to 4, or 0
 * when the byte at s does not start one. */
size_t sg_utf8_seq_len(const unsigned char *s, size_t n);

#endif
