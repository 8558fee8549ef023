package ferret

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// Funnel serves the FerretDB at uri to any number of clients one command at
// a time, until the test ends, and returns the URI to give the clients.
//
// FerretDB's findAndModify and update read the document and write it back
// in two steps, so two connections updating one document lose updates and
// both win a conditional one; MongoDB applies each single-document update
// atomically. Several processes sharing the stand-in (several instances on
// one store) see MongoDB's guarantee through the funnel, which relays each
// client connection over a connection of its own (handshakes and cursors
// belong to a connection) but lets one command at a time through.
func Funnel(t testing.TB, uri string) string {
	t.Helper()
	funneled, stop, err := Serve(uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return funneled
}

// Serve is Funnel outside a test: it serves the FerretDB at uri one command
// at a time until stop is called, and returns the URI for the clients.
func Serve(uri string) (funneled string, stop func(), err error) {
	upstream := strings.TrimSuffix(strings.TrimPrefix(uri, "mongodb://"), "/")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	f := &funnel{upstream: upstream, clients: map[net.Conn]bool{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	stop = func() {
		ln.Close()
		<-done
		f.close()
	}
	return "mongodb://" + ln.Addr().String() + "/", stop, nil
}

// funnel relays the commands of its clients one at a time.
type funnel struct {
	upstream string

	turn    sync.Mutex // held for one command and its answer
	mu      sync.Mutex // guards clients and closed
	clients map[net.Conn]bool
	closed  bool
}

// Wire protocol: a message starts with its length (int32, little endian,
// the header included), then requestID, responseTo and opCode; an OP_MSG
// (opCode 2013) has its flag bits next, of which moreToCome (bit 1) means
// that no answer follows.
const (
	headerSize  = 16
	opMsg       = 2013
	moreToCome  = 1 << 1
	maxMessage  = 48 << 20
	flagsOffset = headerSize
)

// readMessage reads one whole message from r.
func readMessage(r io.Reader) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(size[:]))
	if n < headerSize || n > maxMessage {
		return nil, fmt.Errorf("ferret funnel: message of %d bytes", n)
	}
	msg := make([]byte, n)
	copy(msg, size[:])
	_, err := io.ReadFull(r, msg[4:])
	return msg, err
}

// streamed reports whether msg is an OP_MSG with moreToCome set: a request
// that gets no answer, or an answer that more follow.
func streamed(msg []byte) bool {
	return binary.LittleEndian.Uint32(msg[12:16]) == opMsg && len(msg) >= flagsOffset+4 &&
		binary.LittleEndian.Uint32(msg[flagsOffset:])&moreToCome != 0
}

// serve relays the commands of client c until it or the upstream fails.
func (f *funnel) serve(c net.Conn) {
	up, err := net.Dial("tcp", f.upstream)
	if err != nil || !f.track(c, up) {
		c.Close()
		return
	}
	defer f.untrack(c, up)
	for {
		req, err := readMessage(c)
		if err != nil {
			return
		}
		answer, err := f.exchange(up, req)
		if err != nil {
			return
		}
		if answer != nil {
			if _, err := c.Write(answer); err != nil {
				return
			}
		}
	}
}

// track records the client c and its upstream connection up, unless the
// funnel is closed.
func (f *funnel) track(c, up net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		up.Close()
		return false
	}
	f.clients[c], f.clients[up] = true, true
	return true
}

func (f *funnel) untrack(c, up net.Conn) {
	f.mu.Lock()
	delete(f.clients, c)
	delete(f.clients, up)
	f.mu.Unlock()
	c.Close()
	up.Close()
}

// exchange sends req over up and returns the answer, if one is due, while
// no other command is under way.
func (f *funnel) exchange(up net.Conn, req []byte) ([]byte, error) {
	f.turn.Lock()
	defer f.turn.Unlock()
	if _, err := up.Write(req); err != nil {
		return nil, err
	}
	if streamed(req) {
		return nil, nil
	}
	answer, err := readMessage(up)
	if err == nil && streamed(answer) {
		err = errors.New("ferret funnel: streamed answers are not supported")
	}
	return answer, err
}

// close drops every connection.
func (f *funnel) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for c := range f.clients {
		c.Close()
	}
}
