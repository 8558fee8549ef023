package recruit_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image/color"
	"testing"

	"zhupei/internal/testimg"
	"zhupei/recruit"
)

func TestCheckPhoto(t *testing.T) {
	var png bytes.Buffer
	png.WriteString("\x89PNG\r\n\x1a\n")
	png.Write(make([]byte, 200<<10))
	big := append(testimg.Photo(t), make([]byte, recruit.MaxUploadSize)...) // trailing bytes after the JPEG end marker
	truncated := testimg.JPEG(t, 900, 1200, testimg.White, 97)
	truncated = truncated[:len(truncated)*2/3]
	// cut below the judged rows, where the check skips the image data
	truncatedLow := testimg.Photo(t)
	truncatedLow = truncatedLow[:len(truncatedLow)-2000]
	cases := []struct {
		name  string
		photo []byte
		want  string // "" for accepted
	}{
		{"white portrait", testimg.Photo(t), ""},
		{"PNG named as JPEG", png.Bytes(), "照片格式必须为JPG"},
		{"text", bytes.Repeat([]byte("not a photo "), 20000), "照片格式必须为JPG"},
		{"too small", testimg.JPEG(t, 90, 120, testimg.White, 50), "照片大小不能小于150KB"},
		{"too big", big, "照片大小不能超过10MB"},
		{"truncated", truncated, "照片文件已损坏，无法识别"},
		{"truncated at the bottom", truncatedLow, "照片文件已损坏，无法识别"},
		{"blue background", testimg.JPEG(t, 540, 720, color.RGBA{60, 120, 220, 255}, 97), "照片底色必须为白色，检测到蓝色背景，请更换白底证件照"},
		{"landscape", testimg.JPEG(t, 800, 600, testimg.White, 95), "照片须为竖版证件照（高宽比约为4:3至3:2）"},
		{"square", testimg.JPEG(t, 600, 600, testimg.White, 95), "照片须为竖版证件照（高宽比约为4:3至3:2）"},
	}
	for _, tc := range cases {
		err := recruit.CheckPhoto(tc.photo)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if recruit.ErrorCode(err) != recruit.EINVALID || recruit.ErrorMessage(err) != tc.want {
			t.Errorf("%s (%d bytes): %v, want %q", tc.name, len(tc.photo), err, tc.want)
		}
	}
}

// Generated photos as applicants bring them are accepted; the same photos
// on coloured backdrops are refused, each naming its colour.
func TestCheckPhotoRealistic(t *testing.T) {
	for _, p := range testimg.Realistic {
		data := testimg.IDPhoto(t, p.Portrait)
		if len(data) < recruit.PhotoMinSize || len(data) > recruit.MaxUploadSize {
			t.Fatalf("%s: %d bytes is outside the size limits, the test would not judge the background", p.Name, len(data))
		}
		if err := recruit.CheckPhoto(data); err != nil {
			t.Errorf("%s (%d×%d, %d bytes): %v", p.Name, p.W, p.H, len(data), err)
		}
	}
	want := map[string]string{
		"蓝色背景": "照片底色必须为白色，检测到蓝色背景，请更换白底证件照",
		"红色背景": "照片底色必须为白色，检测到红色背景，请更换白底证件照",
		"灰色背景": "照片底色必须为白色，检测到灰色背景，请更换白底证件照",
	}
	for _, p := range testimg.Coloured {
		err := recruit.CheckPhoto(testimg.IDPhoto(t, p.Portrait))
		if recruit.ErrorCode(err) != recruit.EINVALID || recruit.ErrorMessage(err) != want[p.Name] {
			t.Errorf("%s: %v, want %q", p.Name, err, want[p.Name])
		}
	}
}

// A small file declaring a huge image is refused from its header, before
// anything is decoded (a decompression bomb would otherwise allocate
// hundreds of megabytes).
func TestPhotoDeclaringTooManyPixelsIsNotDecoded(t *testing.T) {
	data := testimg.Photo(t)
	// Rewrite the frame header (SOF0: FF C0, length, precision, height,
	// width) to declare 4400×3200 = 14 MP.
	sof := bytes.Index(data, []byte{0xFF, 0xC0})
	if sof < 0 {
		t.Fatal("no SOF0 marker in the test photo")
	}
	bomb := append([]byte(nil), data...)
	binary.BigEndian.PutUint16(bomb[sof+5:], 4400)
	binary.BigEndian.PutUint16(bomb[sof+7:], 3200)
	if err := recruit.CheckPhoto(bomb); recruit.ErrorMessage(err) != "照片像素过大，请压缩后上传" {
		t.Fatalf("CheckPhoto of a 14 MP header: %v", err)
	}
	// 12 MP, a phone camera's size, is within the limit: the same photo
	// declaring 4032×3024 gets past the size check (and fails later, on
	// its ratio, since the header says landscape).
	binary.BigEndian.PutUint16(bomb[sof+5:], 3024)
	binary.BigEndian.PutUint16(bomb[sof+7:], 4032)
	if err := recruit.CheckPhoto(bomb); recruit.ErrorMessage(err) == "照片像素过大，请压缩后上传" {
		t.Fatalf("a 12 MP photo was refused as too large")
	}
}

func TestCheckScan(t *testing.T) {
	pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	cases := []struct {
		name string
		data []byte
		ct   string
		want string // the refusal, "" for accepted
	}{
		{"PDF", pdf, "application/pdf", ""},
		{"PNG", png, "image/png", ""},
		{"JPEG", testimg.JPEG(t, 60, 80, testimg.White, 80), "image/jpeg", ""},
		{"executable", []byte("MZ\x90\x00 an executable"), "", "扫描件格式必须为JPG、PNG或PDF"},
		{"HTML", []byte("<html><script>alert(1)</script></html>"), "", "扫描件格式必须为JPG、PNG或PDF"},
		{"empty", nil, "", "扫描件格式必须为JPG、PNG或PDF"},
		{"too big", append(append([]byte(nil), pdf...), make([]byte, recruit.MaxUploadSize)...), "", "扫描件大小不能超过10MB"},
	}
	for _, tc := range cases {
		ct, err := recruit.CheckScan(tc.data)
		if ct != tc.ct || recruit.ErrorMessage(err) != tc.want || (err != nil) != (tc.want != "") {
			t.Errorf("%s: %q, %v; want %q, %q", tc.name, ct, err, tc.ct, tc.want)
		}
	}
}

// BenchmarkPhotoCheck checks an accepted ID photo of the usual size and a
// phone camera's 12 MP one.
func BenchmarkPhotoCheck(b *testing.B) {
	for _, p := range []testimg.Named{testimg.Realistic[0], testimg.Realistic[4]} {
		data := testimg.IDPhoto(b, p.Portrait)
		b.Run(fmt.Sprintf("%dx%d", p.W, p.H), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := recruit.CheckPhoto(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
