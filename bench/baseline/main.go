// Command baseline is the reference the board's load figures are compared
// with: a bare Fiber server — no middleware, no work — on the same machine,
// measured with the same load tool.
//
//   - GET / returns a constant (the trivial handler).
//   - PUT /board gives it an answer to copy: the request's body, and a
//     response header Name: value for each request header X-Board-Name:
//     value (one value per name: the board sends none twice). bench/surge
//     copies the board's own answer into it, every header but those the
//     server writes itself (Date, Content-Length).
//   - GET /board returns that answer: the same body with the same headers
//     (the same-answer handler, the limit for the board's answer).
//   - GET /body returns the same body with only its Content-Type and
//     Content-Encoding (the same-body handler: what the board cost without
//     the headers it needs, its ETag, Vary, request id, security and
//     caching headers).
//
// It prints the URL it serves on ("baseline: http://…") once it listens;
// -addr 127.0.0.1:0 takes a free port.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"
)

// headerPrefix marks the request headers of PUT /board that are to be
// answered.
const headerPrefix = "X-Board-"

// answer is the copied answer: its body and its headers, names in the
// canonical form fasthttp stores them in, so that they are set without
// being normalized or searched for first (as zhupei sets its own).
type answer struct {
	body   []byte
	header [][2][]byte
	// ctype and encoding are the Content-Type and Content-Encoding among
	// header, for /body.
	ctype, encoding []byte
}

// set sets headers on c's response.
func set(c *fiber.Ctx, headers [][2][]byte) {
	for _, kv := range headers {
		c.Response().Header.SetCanonical(kv[0], kv[1])
	}
}

// newApp is the baseline's server, writing with a buffer of writeBuffer
// bytes (0: Fiber's default, 4 KB).
func newApp(writeBuffer int) *fiber.App {
	var board atomic.Pointer[answer]
	board.Store(&answer{body: []byte("{}"), ctype: []byte(fiber.MIMEApplicationJSON)})
	app := fiber.New(fiber.Config{DisableStartupMessage: true, WriteBufferSize: writeBuffer})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/board", func(c *fiber.Ctx) error {
		a := board.Load()
		set(c, a.header)
		return c.Send(a.body)
	})
	app.Get("/body", func(c *fiber.Ctx) error {
		a := board.Load()
		c.Response().Header.SetContentTypeBytes(a.ctype)
		if len(a.encoding) > 0 {
			c.Response().Header.SetContentEncodingBytes(a.encoding)
		}
		return c.Send(a.body)
	})
	app.Put("/board", func(c *fiber.Ctx) error {
		// Copied: Fiber reuses the request's buffers after the handler.
		a := &answer{body: bytes.Clone(c.Body())}
		c.Request().Header.VisitAll(func(k, v []byte) {
			name, ok := bytes.CutPrefix(k, []byte(headerPrefix))
			if !ok {
				return
			}
			kv := [2][]byte{bytes.Clone(name), bytes.Clone(v)}
			a.header = append(a.header, kv)
			switch string(name) {
			case fiber.HeaderContentType:
				a.ctype = kv[1]
			case fiber.HeaderContentEncoding:
				a.encoding = kv[1]
			}
		})
		board.Store(a)
		return c.SendStatus(fiber.StatusNoContent)
	})
	return app
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	writeBuffer := flag.Int("write-buffer", 0, "response write buffer in bytes (0: Fiber's default, 4 KB)")
	flag.Parse()
	app := newApp(*writeBuffer)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("baseline: http://%s\n", ln.Addr())
	log.Fatal(app.Listener(ln))
}
