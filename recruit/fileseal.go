package recruit

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Sealer protects the personal data a store keeps at rest: ID numbers
// (IDSealer) and the data of files, uploads and generated forms alike
// (FileSealer). The backends take one at Open and seal every file they
// write, so no backend can keep a file in clear.
type Sealer interface {
	IDSealer
	FileSealer
}

// FileSealer encrypts file data at rest. A sealed file names the key that
// sealed it, so that the key can change: OpenFile accepts the data of any
// key of the keyring, SealFile always uses the current key, and ResealFile
// moves data sealed with an older key (or stored in clear before files were
// encrypted) to the current one.
type FileSealer interface {
	// SealFile encrypts the data of file id; the ciphertext is bound to id.
	SealFile(id string, plain []byte) ([]byte, error)
	// OpenFile decrypts data stored for file id. Data without the sealed
	// header is a file stored before encryption and is returned as is.
	OpenFile(id string, stored []byte) ([]byte, error)
	// ResealFile returns stored sealed with the current key, and false
	// (with stored itself) when it already is.
	ResealFile(id string, stored []byte) ([]byte, bool, error)
}

// Sealed file data: fileMagic, the 4-byte id of the key, a 12-byte nonce,
// then the AES-256-GCM ciphertext of the data with the header and the
// file id as additional data.
var fileMagic = []byte("ZPF1")

const fileKeyIDLen = 4

// fileKey is one key of the keyring.
type fileKey struct {
	id   [fileKeyIDLen]byte
	aead cipher.AEAD
}

// newFileKey derives a file key and its id from a secret.
func newFileKey(secret string) (fileKey, error) {
	if len(secret) < 16 {
		return fileKey{}, errors.New("file key must be at least 16 bytes")
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("zhupei file encryption"))
	if err != nil {
		return fileKey{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return fileKey{}, err
	}
	k := fileKey{aead: aead}
	copy(k.id[:], derive("zhupei file key id"))
	return k, nil
}

// WithFileKeys sets the keyring of the files: current seals, and current,
// every retired secret and the ID-number secret s was made with (the file
// key when none is configured) open. An empty current keeps the ID-number
// secret as the current file key. Secrets are at least 16 bytes long.
func (s *AESSealer) WithFileKeys(current string, retired ...string) error {
	ring := []fileKey{s.files[len(s.files)-1]} // the ID-number secret's, always last
	if current != "" {
		k, err := newFileKey(current)
		if err != nil {
			return err
		}
		ring = append([]fileKey{k}, ring...)
	}
	for _, r := range retired {
		k, err := newFileKey(r)
		if err != nil {
			return fmt.Errorf("retired %w", err)
		}
		ring = append(ring, k)
	}
	s.files = ring
	return nil
}

// SealFile encrypts plain for file id with the current key.
func (s *AESSealer) SealFile(id string, plain []byte) ([]byte, error) {
	k := s.files[0]
	header := make([]byte, 0, len(fileMagic)+fileKeyIDLen+k.aead.NonceSize())
	header = append(append(header, fileMagic...), k.id[:]...)
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append(header, nonce...)
	return k.aead.Seal(out, nonce, plain, fileAAD(header, id)), nil
}

// OpenFile decrypts the stored data of file id.
func (s *AESSealer) OpenFile(id string, stored []byte) ([]byte, error) {
	if !bytes.HasPrefix(stored, fileMagic) {
		return stored, nil
	}
	k, err := s.fileKey(stored)
	if err != nil {
		return nil, err
	}
	h := len(fileMagic) + fileKeyIDLen
	n := k.aead.NonceSize()
	if len(stored) < h+n {
		return nil, errors.New("sealed file too short")
	}
	plain, err := k.aead.Open(nil, stored[h:h+n], stored[h+n:], fileAAD(stored[:h], id))
	if err != nil {
		return nil, fmt.Errorf("file %s: %w", id, err)
	}
	return plain, nil
}

// ResealFile seals stored with the current key unless it already is.
func (s *AESSealer) ResealFile(id string, stored []byte) ([]byte, bool, error) {
	if s.currentFileKey(stored) {
		return stored, false, nil
	}
	plain, err := s.OpenFile(id, stored)
	if err != nil {
		return nil, false, err
	}
	sealed, err := s.SealFile(id, plain)
	return sealed, err == nil, err
}

// currentFileKey reports whether stored is sealed with the current key.
func (s *AESSealer) currentFileKey(stored []byte) bool {
	h := len(fileMagic) + fileKeyIDLen
	return len(stored) >= h && bytes.HasPrefix(stored, fileMagic) && bytes.Equal(stored[len(fileMagic):h], s.files[0].id[:])
}

// fileKey finds the key of the keyring that sealed stored.
func (s *AESSealer) fileKey(stored []byte) (fileKey, error) {
	h := len(fileMagic) + fileKeyIDLen
	if len(stored) < h {
		return fileKey{}, errors.New("sealed file too short")
	}
	for _, k := range s.files {
		if bytes.Equal(stored[len(fileMagic):h], k.id[:]) {
			return k, nil
		}
	}
	return fileKey{}, fmt.Errorf("file sealed with key %x, which is not configured (security.file_key, security.retired_file_keys)", stored[len(fileMagic):h])
}

// fileAAD is the additional data of a sealed file: its header and its id,
// so that data copied to another file does not open.
func fileAAD(header []byte, id string) []byte {
	return append(append([]byte{}, header...), id...)
}
