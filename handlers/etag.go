package handlers

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"zhupei/recruit"
)

// dataTag is the entity tag of a snapshot's data: a hash of everything the
// public JSON is made of (the year, bases, specialties and programs with
// their counters), not of the load time, so that a snapshot reloaded with
// the same counts — on this instance or another on the same store — keeps
// its tag and the boards polling it get 304 Not Modified. It is weak: the
// bodies also carry updated_at, the time of the load, which changes
// without changing what they say.
func dataTag(snap *snapshot) (string, error) {
	b, err := json.Marshal(struct {
		Year        *recruit.Year
		Bases       []recruit.Base
		Specialties []recruit.Specialty
		Programs    []recruit.Program
		Published   []recruit.Publication
		Shortage    []string
	}{snap.Year, snap.Bases, snap.Specialties, snap.Programs, snap.Publications, snap.Shortage})
	if err != nil {
		return "", recruit.Internal(err)
	}
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:18]), nil
}

// notModified sets the response's ETag — the snapshot's (made once per
// snapshot), or with extra for what else the answer depends on (such as
// the phase, which moves with the clock) — and reports whether the
// request's If-None-Match names it; the handler then answers 304 without
// a body.
func notModified(c *fiber.Ctx, snap *snapshot, extra string) bool {
	tag := snap.etag
	if extra != "" {
		tag = weakTag(snap.tag + extra)
	}
	c.Response().Header.SetCanonical(keyETag, utils.UnsafeBytes(tag)) // copied into the header
	// Not copied (as c.Get does with Immutable): only read here.
	return etagMatches(utils.UnsafeString(c.Request().Header.Peek(fiber.HeaderIfNoneMatch)), tag)
}

// keyETag is the ETag header's name in canonical form (see keyRequestID).
var keyETag = canonicalKey(fiber.HeaderETag)

// weakTag is the weak entity tag of opaque (RFC 9110, 8.8.3).
func weakTag(opaque string) string { return `W/"` + opaque + `"` }

// etagMatches reports whether an If-None-Match header names tag, by weak
// comparison (RFC 9110, 13.1.2): "*" or any listed tag equal to it once
// W/ is removed from both.
func etagMatches(header, tag string) bool {
	want := strings.TrimPrefix(tag, "W/")
	for header != "" {
		var t string
		t, header, _ = strings.Cut(header, ",")
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// sendNotModified answers 304 Not Modified: no body, the headers set so far.
func sendNotModified(c *fiber.Ctx) error {
	c.Status(fiber.StatusNotModified)
	c.Response().ResetBody()
	return nil
}
