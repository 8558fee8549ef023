// Command baseline is a trivial Fiber server returning a constant. It is the
// reference the board's load figures are compared with: the same load tool
// against the same framework on the same machine, with no work behind it.
package main

import (
	"flag"
	"log"

	"github.com/gofiber/fiber/v2"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	flag.Parse()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	log.Fatal(app.Listen(*addr))
}
