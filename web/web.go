// Package web holds the server-rendered templates and the static files
// (CSS, plain JavaScript, the OpenAPI description) of zhupei, embedded in the
// binary so that the service needs no CDN and no build step.
package web

import (
	"embed"
	"io/fs"
)

//go:embed templates static
var files embed.FS

// Templates returns the html/template sources; every file is named *.html.
func Templates() fs.FS {
	sub, err := fs.Sub(files, "templates")
	if err != nil {
		panic(err) // the directory is embedded above; failing here is a build error
	}
	return sub
}

// Static returns the files served under /static/.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err)
	}
	return sub
}
