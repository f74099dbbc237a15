package scfrpc

import "time"

// Stats is a snapshot of the function process's resources, as the operating
// system sees them.
type Stats struct {
	RSSBytes     int64         // resident set size
	PeakRSSBytes int64         // the highest resident set size so far (VmHWM)
	OpenFDs      int           // open file descriptors, sockets included
	CPUTime      time.Duration // user and system CPU time of all its threads so far, to 10 ms
}
