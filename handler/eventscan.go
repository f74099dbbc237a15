package handler

import (
	"encoding/base64"
	"encoding/json"
)

// scanEvent is readEvent's one pass over an event: a small JSON scanner that checks the whole event as strictly as
// encoding/json does and reads the members an HTTP trigger's event has, with no reflection and few allocations.
// It reads only what it reads exactly as encoding/json would: member names in plain ASCII, each of the six members
// given once, and values of the types decodeHTTPEvent decodes. Anything else (and anything that is not JSON) makes
// it give up (ok false), and the event is read by classify and decodeHTTPEvent themselves, whose answer, shape,
// event or error, is then the answer. FuzzReadEvent holds the two ways to the same answers.
func scanEvent(raw []byte) (ev *httpEvent, shape Shape, ok bool) {
	s := scanner{data: raw}
	var m [numMembers]span
	var seen [numMembers]int
	s.space()
	if !s.object(func(name span) bool {
		k := eventMember(s.text(name))
		if k >= 0 {
			seen[k]++
		}
		start := s.i
		if !s.value() {
			return false
		}
		if k >= 0 {
			m[k] = span{start, s.i}
		}
		return true
	}) {
		return nil, "", false
	}
	if s.space(); s.i != len(raw) {
		return nil, "", false // data after the object
	}
	for _, n := range seen {
		if n > 1 {
			return nil, "", false // given twice: encoding/json keeps the last, or merges both; leave it to it
		}
	}
	method, isString := s.stringValue(m[memberMethod])
	if !isString {
		if seen[memberMethod] == 1 && s.data[m[memberMethod].start] == '"' {
			return nil, "", false // a string the scanner does not read itself
		}
		return nil, ShapeDirect, true // as classify: httpMethod must be a string
	}
	ev = &httpEvent{Shape: ShapeFunctionURL, Method: method}

	if rc := m[memberRequestContext]; seen[memberRequestContext] == 1 && !s.is(rc, "null") {
		if s.data[rc.start] != '{' || !s.requestContext(rc, ev) {
			return nil, "", false
		}
		ev.Shape = ShapeAPIGateway
	}
	if h := m[memberHeaders]; seen[memberHeaders] == 1 && !s.is(h, "null") {
		if s.data[h.start] != '{' || !s.headers(h, ev) {
			return nil, "", false
		}
	} else {
		ev.Headers = map[string]string{}
	}
	if ev.Shape == ShapeFunctionURL {
		ev.SourceIP = ev.Headers["x-scf-remote-addr"]
	}
	if q := m[memberQueryString]; seen[memberQueryString] == 1 && !s.is(q, "null") {
		if s.data[q.start] != '{' || !s.query(q, ev) {
			return nil, "", false
		}
	}
	base64Body := false
	if b := m[memberIsBase64Encoded]; seen[memberIsBase64Encoded] == 1 {
		switch {
		case s.is(b, "true"):
			base64Body = true
		case s.is(b, "false"), s.is(b, "null"):
		default:
			return nil, "", false
		}
	}
	if b := m[memberBody]; seen[memberBody] == 1 && !s.is(b, "null") {
		body, isString := s.stringValue(b)
		if !isString {
			return nil, "", false
		}
		ev.Body = []byte(body)
		if base64Body {
			decoded, err := base64.StdEncoding.DecodeString(body)
			if err != nil {
				return nil, "", false
			}
			ev.Body = decoded
		}
	}
	return ev, ev.Shape, true
}

// The members of an HTTP trigger's event that scanEvent reads.
const (
	memberMethod = iota
	memberHeaders
	memberQueryString
	memberBody
	memberIsBase64Encoded
	memberRequestContext
	numMembers
)

// eventMember is the member a name stands for, matched as encoding/json matches a struct's fields (whatever the
// case; the names are plain ASCII here), or -1.
func eventMember(name string) int {
	for k, want := range [numMembers]string{"httpMethod", "headers", "queryString", "body", "isBase64Encoded", "requestContext"} {
		if equalFoldASCII(name, want) {
			return k
		}
	}
	return -1
}

// equalFoldASCII reports whether a and b are equal but for the case of ASCII letters.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// requestContext reads requestContext's requestId and sourceIp, as decodeHTTPEvent's struct does.
func (s *scanner) requestContext(rc span, ev *httpEvent) bool {
	var seenID, seenIP int
	return s.members(rc, func(name, value span) bool {
		var dst *string
		switch n := s.text(name); {
		case equalFoldASCII(n, "requestId"):
			dst, seenID = &ev.RequestID, seenID+1
		case equalFoldASCII(n, "sourceIp"):
			dst, seenIP = &ev.SourceIP, seenIP+1
		default:
			return true
		}
		if seenID > 1 || seenIP > 1 {
			return false
		}
		if s.is(value, "null") {
			return true
		}
		v, isString := s.stringValue(value)
		*dst = v
		return isString
	})
}

// headers reads the headers the function reads (readHeaders) as decodeHTTPEvent does: a name given twice in the
// same spelling is the last one (a map's), and then readHeaderValues' rule for spellings that differ in case.
func (s *scanner) headers(h span, ev *httpEvent) bool {
	type header struct {
		name  string // as written
		value span
	}
	var read []header
	ok := s.members(h, func(name, value span) bool {
		n := s.text(name)
		if !readHeaders[lowerASCII(n)] {
			return true
		}
		for i := range read {
			if read[i].name == n {
				read[i].value = value // the same name again: a map keeps the last
				return true
			}
		}
		read = append(read, header{n, value})
		return true
	})
	if !ok {
		return false
	}
	ev.Headers = make(map[string]string, len(read))
	for _, hd := range read {
		lower := lowerASCII(hd.name)
		v, isString := s.stringValue(hd.value)
		if !isString {
			v = headerValue(s.data[hd.value.start:hd.value.end])
		}
		if prev, dup := ev.Headers[lower]; dup && prev != v {
			return false // readHeaderValues' error: decodeHTTPEvent says it
		}
		ev.Headers[lower] = v
	}
	return true
}

// query keeps the query string's values raw, by name, as decodeHTTPEvent's map does.
func (s *scanner) query(q span, ev *httpEvent) bool {
	ev.Query = map[string]json.RawMessage{}
	return s.members(q, func(name, value span) bool {
		ev.Query[s.text(name)] = json.RawMessage(s.data[value.start:value.end])
		return true
	})
}

// lowerASCII lower-cases the ASCII letters of a plain ASCII name, as strings.ToLower does to it.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// span is a token of the scanned text: data[start:end].
type span struct{ start, end int }

// scanner checks JSON text as encoding/json's scanner does, and keeps where tokens are. It refuses what JSON
// refuses; it also gives up on what it does not read itself (escapes or non-ASCII bytes in member names, nesting
// deeper than maxScanDepth), which its callers then leave to encoding/json.
type scanner struct {
	data  []byte
	i     int
	depth int
}

// maxScanDepth bounds the nesting the scanner follows (encoding/json's own bound is 10,000).
const maxScanDepth = 1000

func (s *scanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value checks one value at s.i and moves past it.
func (s *scanner) value() bool {
	if s.i >= len(s.data) {
		return false
	}
	switch c := s.data[s.i]; {
	case c == '{':
		return s.object(func(span) bool { return s.value() })
	case c == '[':
		return s.array()
	case c == '"':
		_, ok := s.str()
		return ok
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return false
}

// object checks an object at s.i, calling member for each member with s.i at its value (which member must read).
// Member names must be plain: ASCII without escapes.
func (s *scanner) object(member func(name span) bool) bool {
	if s.i >= len(s.data) || s.data[s.i] != '{' {
		return false
	}
	return s.sequence('}', func() bool {
		name, plainText := s.str()
		if !plainText {
			return false
		}
		if s.space(); s.i >= len(s.data) || s.data[s.i] != ':' {
			return false
		}
		s.i++
		s.space()
		return member(name)
	})
}

// array checks an array whose '[' is at s.i.
func (s *scanner) array() bool { return s.sequence(']', s.value) }

// sequence checks an object's members or an array's items, its opening byte at s.i: item reads one, from its
// first byte, and commas separate them up to closing. Nesting deeper than maxScanDepth fails.
func (s *scanner) sequence(closing byte, item func() bool) bool {
	if s.depth >= maxScanDepth {
		return false
	}
	s.depth++
	defer func() { s.depth-- }()
	s.i++
	s.space()
	if s.i < len(s.data) && s.data[s.i] == closing {
		s.i++
		return true
	}
	for {
		if !item() {
			return false
		}
		if s.space(); s.i >= len(s.data) {
			return false
		}
		switch s.data[s.i] {
		case ',':
			s.i++
			s.space()
		case closing:
			s.i++
			return true
		default:
			return false
		}
	}
}

// str checks a string at s.i and moves past it. ok is false when it is not a string at all or not a valid one;
// plain tells a string of ASCII without escapes, whose text is its bytes.
func (s *scanner) str() (tok span, plainText bool) {
	if s.i >= len(s.data) || s.data[s.i] != '"' {
		return span{}, false
	}
	start := s.i
	plainText = true
	for s.i++; s.i < len(s.data); s.i++ {
		switch c := s.data[s.i]; {
		case c == '"':
			s.i++
			return span{start, s.i}, plainText
		case c < 0x20:
			return span{}, false
		case c == '\\':
			plainText = false
			if s.i++; s.i >= len(s.data) {
				return span{}, false
			}
			switch s.data[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if s.i+4 >= len(s.data) {
					return span{}, false
				}
				for _, h := range s.data[s.i+1 : s.i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return span{}, false
					}
				}
				s.i += 4
			default:
				return span{}, false
			}
		case c >= 0x80:
			plainText = false // UTF-8, valid or not (encoding/json replaces what is not): decoded by encoding/json
		}
	}
	return span{}, false
}

// number checks a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() bool {
	d := s.data
	if s.i < len(d) && d[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(d) && d[s.i] == '0':
		s.i++
	case s.i < len(d) && '1' <= d[s.i] && d[s.i] <= '9':
		s.digits()
	default:
		return false
	}
	if s.i < len(d) && d[s.i] == '.' {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if s.i < len(d) && (d[s.i] == 'e' || d[s.i] == 'E') {
		s.i++
		if s.i < len(d) && (d[s.i] == '+' || d[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return false
		}
	}
	// JSON does not let a number run into a letter or another token without a delimiter; the caller checks that
	// what follows is one.
	return true
}

func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.data) && '0' <= s.data[s.i] && s.data[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

func (s *scanner) literal(word string) bool {
	if len(s.data)-s.i < len(word) || string(s.data[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}

// members calls f for each member of the object at v, which the scan has already checked.
func (s *scanner) members(v span, f func(name, value span) bool) bool {
	sub := scanner{data: s.data[:v.end], i: v.start}
	return sub.object(func(name span) bool {
		start := sub.i
		if !sub.value() {
			return false
		}
		return f(name, span{start, sub.i})
	})
}

// text is a plain token's text: a plain string's without its quotes.
func (s *scanner) text(t span) string {
	return string(s.data[t.start+1 : t.end-1])
}

// is reports whether the token at t is the literal word.
func (s *scanner) is(t span, word string) bool {
	return t.end-t.start == len(word) && string(s.data[t.start:t.end]) == word
}

// stringValue is the text of the string token at t, decoded as encoding/json decodes it; isString is false when
// t is not a string.
func (s *scanner) stringValue(t span) (text string, isString bool) {
	if t.end-t.start < 2 || s.data[t.start] != '"' {
		return "", false
	}
	tok := s.data[t.start:t.end]
	for _, c := range tok[1 : len(tok)-1] {
		if c == '\\' || c >= 0x80 {
			var v string
			if json.Unmarshal(tok, &v) != nil {
				return "", false
			}
			return v, true
		}
	}
	return string(tok[1 : len(tok)-1]), true
}
