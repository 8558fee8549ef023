// Command baseline is the reference the board's load figures are compared
// with: a bare Fiber server — no middleware, no work — on the same machine,
// measured with the same load tool. GET / returns a constant (the trivial
// handler); GET /board returns the bytes last given to PUT /board with the
// Content-Type and Content-Encoding given in that request's
// X-Board-Content-Type and X-Board-Content-Encoding headers (the same-bytes
// handler: bench/surge copies the board's own answer into it, so that the
// board is compared with the limit for its payload).
//
// It prints the URL it serves on ("baseline: http://…") once it listens;
// -addr 127.0.0.1:0 takes a free port.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"strings"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"
)

// payload is the same-bytes handler's answer.
type payload struct {
	body            []byte
	ctype, encoding string
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	writeBuffer := flag.Int("write-buffer", 0, "response write buffer in bytes (0: Fiber's default, 4 KB)")
	flag.Parse()
	var board atomic.Pointer[payload]
	board.Store(&payload{body: []byte("{}"), ctype: "application/json"})
	app := fiber.New(fiber.Config{DisableStartupMessage: true, WriteBufferSize: *writeBuffer})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/board", func(c *fiber.Ctx) error {
		p := board.Load()
		c.Set(fiber.HeaderContentType, p.ctype)
		if p.encoding != "" {
			c.Set(fiber.HeaderContentEncoding, p.encoding)
		}
		return c.Send(p.body)
	})
	app.Put("/board", func(c *fiber.Ctx) error {
		// Copied: Fiber reuses the request's buffers after the handler.
		board.Store(&payload{body: append([]byte(nil), c.Body()...),
			ctype: strings.Clone(c.Get("X-Board-Content-Type")), encoding: strings.Clone(c.Get("X-Board-Content-Encoding"))})
		return c.SendStatus(fiber.StatusNoContent)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("baseline: http://%s\n", ln.Addr())
	log.Fatal(app.Listener(ln))
}
