package sim

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"testing"
	"time"

	"zhupei/recruit"
)

// TestIDNumbersValidAndUnique checks a spread of applicant indexes, across
// the day and region boundaries of the generator: every number passes
// recruit's GB 11643 check, agrees with the basic section built from it,
// and no two are equal.
func TestIDNumbersValidAndUnique(t *testing.T) {
	seen := map[string]int{}
	indexes := []int{0, 1, 2, 9, 10, 998, 999, 1000, 1001, 123456, MaxApplicants - 1}
	for i := 0; i < 3000; i += 7 {
		indexes = append(indexes, i)
	}
	for _, seed := range []int64{1, 2} {
		for _, i := range indexes {
			id := IDNumber(seed, i)
			if err := recruit.ValidateIDNumber(recruit.IDTypeResident, id); err != nil {
				t.Fatalf("IDNumber(%d, %d) = %s: %v", seed, i, id, err)
			}
			b, err := BasicSection(i, id)
			if err != nil {
				t.Fatal(err)
			}
			b.Name, b.IDType, b.IDNumber, b.PhotoID = PersonName(i), recruit.IDTypeResident, id, "photo"
			if err := b.Validate(time.Now()); err != nil {
				t.Fatalf("basic section of applicant %d: %v", i, err)
			}
			if j, dup := seen[id]; dup && j != i {
				t.Fatalf("applicants %d and %d share the ID number %s", j, i, id)
			}
			seen[id] = i
		}
	}
	if IDNumber(1, 5) == IDNumber(2, 5) {
		t.Error("two seeds give the same ID number")
	}
}

// TestSectionsValid checks the fixed sections against recruit's rules.
func TestSectionsValid(t *testing.T) {
	now := time.Now()
	if err := WorkSection.Validate(now); err != nil {
		t.Errorf("work: %v", err)
	}
	if err := recruit.ValidateEducation([]recruit.Education{EducationSection}, now); err != nil {
		t.Errorf("education: %v", err)
	}
	if err := CertificatesSection.Validate(now); err != nil {
		t.Errorf("certificates: %v", err)
	}
}

// TestPhotoPassesServerRules checks the photo against the rules the server
// applies to ID photos: JPEG by content, 150 KB–10 MB, height/width between
// 1.2 and 1.6, and a border band (2% of the shorter side) at least 90% near
// white.
func TestPhotoPassesServerRules(t *testing.T) {
	photo, err := PhotoJPEG()
	if err != nil {
		t.Fatal(err)
	}
	if ct := http.DetectContentType(photo); ct != "image/jpeg" {
		t.Errorf("content type %s", ct)
	}
	if n := len(photo); n < 150<<10 || n > 10<<20 {
		t.Errorf("size %d bytes, want 150 KB–10 MB", n)
	}
	img, err := jpeg.Decode(bytes.NewReader(photo))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if r := float64(h) / float64(w); r < 1.2 || r > 1.6 {
		t.Errorf("height/width %.2f, want 1.2–1.6", r)
	}
	band := max(min(w, h)/50, 1)
	white, total := 0, 0
	for y := range h {
		for x := range w {
			if x >= band && x < w-band && y >= band && y < h-band {
				continue
			}
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			lo, hi := min(r, g, bl)>>8, max(r, g, bl)>>8
			total++
			if lo >= 200 && hi-lo <= 40 {
				white++
			}
		}
	}
	if share := float64(white) / float64(total); share < 0.9 {
		t.Errorf("white border share %.2f, want at least 0.9", share)
	}
}
