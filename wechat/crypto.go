package wechat

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
)

// Signature is WeChat's message signature: the hex SHA-1 of the parts sorted
// and concatenated. With (token, timestamp, nonce) it is `signature`; with
// the Encrypt element added it is `msg_signature`.
func Signature(parts ...string) string {
	s := append([]string(nil), parts...)
	sort.Strings(s)
	sum := sha1.Sum([]byte(strings.Join(s, "")))
	return hex.EncodeToString(sum[:])
}

// validSignature compares a received signature in constant time.
func validSignature(got string, parts ...string) bool {
	want := Signature(parts...)
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) == 1
}

// pkcs7Block is the padding block size of WeChat's scheme (32, not AES's 16).
const pkcs7Block = 32

var errCipher = errors.New("wechat: bad encrypted message")

// Cipher encrypts and decrypts safe-mode messages of one account:
// AES-256-CBC, key = base64(EncodingAESKey+"="), IV = key[:16], PKCS#7 to 32
// bytes, plaintext = 16 random bytes + 4-byte big-endian length + message +
// appid.
type Cipher struct {
	block cipher.Block
	iv    []byte
	appID string
}

// NewCipher returns the cipher for an EncodingAESKey and appid.
func NewCipher(encodingAESKey, appID string) (*Cipher, error) {
	key, err := aesKey(encodingAESKey)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &Cipher{block: block, iv: key[:aes.BlockSize], appID: appID}, nil
}

// Encrypt returns the base64 Encrypt element for msg.
func (c *Cipher) Encrypt(msg []byte) (string, error) {
	plain := make([]byte, 20, 20+len(msg)+len(c.appID)+pkcs7Block)
	if _, err := rand.Read(plain[:16]); err != nil {
		return "", err
	}
	binary.BigEndian.PutUint32(plain[16:20], uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, c.appID...)
	pad := pkcs7Block - len(plain)%pkcs7Block
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(c.block, c.iv).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out), nil
}

// Decrypt opens a base64 Encrypt element and checks that it was made for
// this appid.
func (c *Cipher) Decrypt(encrypted string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, errCipher
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(c.block, c.iv).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > pkcs7Block || pad > len(plain) {
		return nil, errCipher
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return nil, errCipher
		}
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, errCipher
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, errCipher
	}
	msg, appID := plain[20:20+n], plain[20+n:]
	if subtle.ConstantTimeCompare(appID, []byte(c.appID)) != 1 {
		return nil, errCipher
	}
	return msg, nil
}

// sealReply wraps a passive reply (the plaintext reply XML) for safe mode in
// the Encrypt, MsgSignature, TimeStamp and Nonce envelope WeChat expects,
// shaped as in WeChat's published sample (and the SDK's
// ResponseEncryptedXMLMsg): text in CDATA, the timestamp (decimal digits)
// bare.
func sealReply(c *Cipher, token string, reply []byte, timestamp, nonce string) ([]byte, error) {
	enc, err := c.Encrypt(reply)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("<xml><Encrypt>")
	b.WriteString(CDATA(enc))
	b.WriteString("</Encrypt><MsgSignature>")
	b.WriteString(CDATA(Signature(token, timestamp, nonce, enc)))
	b.WriteString("</MsgSignature><TimeStamp>")
	b.WriteString(timestamp) // digits, as in WeChat's sample: not CDATA
	b.WriteString("</TimeStamp><Nonce>")
	b.WriteString(CDATA(nonce))
	b.WriteString("</Nonce></xml>")
	return b.Bytes(), nil
}

// CDATA returns s as an XML CDATA section, splitting any "]]>" inside it.
func CDATA(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
}
