package handler

import (
	"strings"
	"unicode/utf8"
)

// appendString appends s as a JSON string exactly as encoding/json's Marshal writes one: HTML's <, > and & escaped,
// control characters escaped (\b, \f, \n, \r, \t by name), bytes that are not UTF-8 replaced by \ufffd, and U+2028
// and U+2029 escaped. TestAppendStringIsMarshals and FuzzAppendString hold it to json.Marshal, so that a reply
// written with it is byte for byte the one Marshal would write.
func appendString(dst []byte, s string) []byte { return appendQuoted(dst, s, &marshalStyle) }

// appendLogString appends s as a JSON string as slog's JSON handler escapes one: unlike encoding/json (appendString)
// it leaves <, > and & as they are and names only \n, \r and \t among control characters; bytes that are not UTF-8
// become \ufffd, and U+2028 and U+2029 are escaped. FuzzLogger holds it to log/slog.
func appendLogString(dst []byte, s string) []byte { return appendQuoted(dst, s, &slogStyle) }

// jsonStyle is what sets one JSON writer's strings apart from another's: the ASCII bytes it writes as they are, and
// whether it names \b and \f or writes them as \u0008 and \u000c.
type jsonStyle struct {
	safe    [utf8.RuneSelf]bool
	namesBF bool
}

var (
	marshalStyle = newJSONStyle("<>&", true) // encoding/json's Marshal
	slogStyle    = newJSONStyle("", false)   // log/slog's JSON handler
)

// newJSONStyle keeps every printable ASCII byte but the quote, the backslash and those of escaped.
func newJSONStyle(escaped string, namesBF bool) (st jsonStyle) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		st.safe[b] = b != '"' && b != '\\' && strings.IndexByte(escaped, byte(b)) < 0
	}
	st.namesBF = namesBF
	return st
}

// appendQuoted appends s as a JSON string in the given style.
func appendQuoted(dst []byte, s string, st *jsonStyle) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if st.safe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch {
			case b == '\\' || b == '"':
				dst = append(dst, '\\', b)
			case b == '\n':
				dst = append(dst, '\\', 'n')
			case b == '\r':
				dst = append(dst, '\\', 'r')
			case b == '\t':
				dst = append(dst, '\\', 't')
			case b == '\b' && st.namesBF:
				dst = append(dst, '\\', 'b')
			case b == '\f' && st.namesBF:
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
