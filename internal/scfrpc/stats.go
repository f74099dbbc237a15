package scfrpc

// Stats is a snapshot of the function process's resources, as the operating
// system sees them.
type Stats struct {
	RSSBytes int64 // resident set size
	OpenFDs  int   // open file descriptors, sockets included
}
