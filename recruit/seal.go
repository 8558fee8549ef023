package recruit

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// AESSealer is the Sealer of the service: AES-256-GCM for ID numbers and
// HMAC-SHA256 for their blind index, both keys derived from one secret,
// and AES-256-GCM for files with a keyring of file keys (see fileseal.go).
type AESSealer struct {
	aead     cipher.AEAD
	indexKey []byte
	files    []fileKey // the current key first; the ID-number secret's last
}

// NewSealer derives the encryption and index keys from secret, which must be
// at least 16 bytes long. Files are sealed with a key derived from secret
// too until WithFileKeys sets another.
func NewSealer(secret string) (*AESSealer, error) {
	if len(secret) < 16 {
		return nil, errors.New("ID-number key must be at least 16 bytes")
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("zhupei id encryption"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	files, err := newFileKey(secret)
	if err != nil {
		return nil, err
	}
	return &AESSealer{aead: aead, indexKey: derive("zhupei id blind index"), files: []fileKey{files}}, nil
}

// Seal encrypts plain with a random nonce; the result is base64.
func (s *AESSealer) Seal(plain string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), nil)), nil
}

// Open decrypts a value produced by Seal.
func (s *AESSealer) Open(sealed string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		return "", err
	}
	n := s.aead.NonceSize()
	if len(raw) < n {
		return "", errors.New("sealed value too short")
	}
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", err
	}
	return string(plain), nil
}

// Index returns the blind index of plain (case-insensitive for the final X).
func (s *AESSealer) Index(plain string) string {
	m := hmac.New(sha256.New, s.indexKey)
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(plain))))
	return hex.EncodeToString(m.Sum(nil))
}

// HashSecret is the hex SHA-256 of a secret that the service hands out
// (a session id, a token, an invitation code): stores keep only this, so a
// copy of the database holds none of them in usable form.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
