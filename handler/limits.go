package handler

// The work one request may cost is bounded before anything else looks at it: the function sits behind a public
// URL, SCF accepts events of up to 6 MB, and a request that is refused after seconds of CPU is still billed and
// may outlive its deadline. With these bounds every request, whatever it holds, is answered within a few
// milliseconds of CPU and a few megabytes of memory, with an error of at most a few problems
// (policy.MaxReported) and a log line of a few hundred bytes (README "Security notes").
const (
	// MaxEventBytes is the largest event read. A real request is a few kilobytes of headers and a body of at
	// most a few dozen paths (the policy STS accepts holds about thirty), so 128 KiB leaves room for large
	// cookies and long keys while keeping every map and list built from an event small. A larger event is
	// answered 400 after one scan that only tells its shape.
	MaxEventBytes = 128 << 10
	// MaxListItems is the longest prefixes, keys, actions or contentTypes list read. It is far above what a
	// policy can hold, so a list at the limit is refused for its size by the policy builder anyway.
	MaxListItems = 100
	// maxLogged bounds every log field a caller can choose (scope, method, requestId, sub).
	maxLogged = 128
)
