package policy

import (
	"slices"
	"strings"
)

// Dropped is an action a grant leaves out because of its conditions, and why.
type Dropped struct {
	Action string // the CAM name, "name/cos:PostObject"
	Reason string // one sentence, for a dry run or an error
}

// The reasons UsableActions gives, shared by every action they drop.
const (
	reasonFormType = "COS compares cos:content-type with a form upload's own Content-Type, multipart/form-data, " +
		"so no POST Object could meet contentTypes: upload with PutObject"
	reasonMultipartSize = "COS sees each part's Content-Length and never the object's, so an object built from parts " +
		"could exceed maxContentLength: upload files up to the limit with PutObject (cos-js-sdk-v5: SliceSize at or " +
		"above the limit; cos-go-sdk-v5: Object.Put, or Object.Upload with a PartSize at or above it)"
)

// multipartAPIs are the APIs of a multipart upload. Under a size limit none
// of them is of use: without InitiateMultipartUpload there is no upload to
// list, upload to, complete or abort.
func multipartAPIs() []string {
	return []string{"InitiateMultipartUpload", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload",
		"ListMultipartUploads", "ListParts", "AbortMultipartUpload"}
}

// UsableActions splits actions (CAM names, as ExpandActions returns them)
// into those a grant under c keeps, in their order, and those it leaves out,
// so that no grant holds an action its conditions make useless or one that
// would slip past them:
//
//   - with ContentTypes, PostObject is left out: COS reads cos:content-type
//     from the request's Content-Type header, which for a form upload is
//     multipart/form-data whatever the file is, so every POST Object would be
//     refused.
//   - with MaxContentLength, the multipart upload APIs are left out: a part's
//     Content-Length says nothing of the object's size, so parts could build
//     an object of any size.
//
// ContentTypes alone keep multipart uploads: InitiateMultipartUpload carries
// the object's Content-Type, and Build conditions it.
func UsableActions(actions []string, c Conditions) (kept []string, dropped []Dropped) {
	for _, a := range actions {
		name := strings.TrimPrefix(a, ActionPrefix)
		switch {
		case len(c.ContentTypes) > 0 && name == "PostObject":
			dropped = append(dropped, Dropped{Action: a, Reason: reasonFormType})
		case c.MaxContentLength > 0 && slices.Contains(multipartAPIs(), name):
			dropped = append(dropped, Dropped{Action: a, Reason: reasonMultipartSize})
		default:
			kept = append(kept, a)
		}
	}
	return kept, dropped
}

// sizeConditioned and typeConditioned say which requests carry what the
// conditions read. cos:content-length is the object's size on the uploads
// that send the object in their own body: PutObject, PostObject (where it is
// the whole form's, a little more than the file) and AppendObject (each
// piece). cos:content-type is the object's type on PutObject, AppendObject
// and InitiateMultipartUpload, whose Content-Type the completed object
// keeps. Any other request carries neither for the object, and a condition
// on a header it lacks would refuse it.
func sizeConditioned(name string) bool {
	return name == "PutObject" || name == "PostObject" || name == "AppendObject"
}

func typeConditioned(name string) bool {
	return name == "PutObject" || name == "AppendObject" || name == "InitiateMultipartUpload"
}

// contentConditioned reports whether the action carries a condition of c.
func contentConditioned(camName string, c Conditions) bool {
	name := strings.TrimPrefix(camName, ActionPrefix)
	return c.MaxContentLength > 0 && sizeConditioned(name) || len(c.ContentTypes) > 0 && typeConditioned(name)
}
