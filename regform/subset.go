package regform

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/signintech/gopdf/fontmaker/core"
)

// Why a subset per document: gopdf embeds only the glyphs a document
// uses, but it writes the loca and hmtx tables for every glyph of the font
// and deflates them for every document. For the 49,000-glyph WenQuanYi
// Micro Hei that is about 400 KB to compress per form, most of the render
// time. Render therefore hands gopdf a font cut from the parsed face with
// only the characters the form prints (and the components of their
// composite glyphs), so those tables have a few hundred entries.

// subsetRunes returns the runes of texts, sorted and distinct.
func subsetRunes(texts ...string) []rune {
	var rs []rune
	for _, t := range texts {
		rs = append(rs, []rune(t)...)
	}
	slices.Sort(rs)
	return slices.Compact(rs)
}

// Offsets inside the tables a subset rewrites (OpenType spec).
const (
	headIndexToLocFormat = 50 // int16: 0 short loca offsets, 1 long
	hheaNumberOfHMetrics = 34 // uint16
	maxpNumGlyphs        = 4  // uint16
	postHeaderSize       = 32 // the version 3.0 post table: no glyph names
	// cmapGap is the longest run of absent characters inside one cmap
	// segment; longer gaps start a new segment. gopdf looks characters up
	// by a linear scan of the segments, so they must be few.
	cmapGap = 64
)

// Composite glyph flags (glyf table).
const (
	argsAreWords    = 0x0001
	haveScale       = 0x0008
	moreComponents  = 0x0020
	haveXYScale     = 0x0040
	haveTwoByTwo    = 0x0080
	compositeHeader = 10 // numberOfContours and the bounding box
)

// glyphSource is a face parsed once, from which subsets are cut. It is
// only read after newGlyphSource, so one serves concurrent renders.
type glyphSource struct {
	p         core.TTFParser
	src       map[string][]byte // the face's tables by tag
	chars     map[int]uint      // character → glyph
	numGlyphs int
}

// newGlyphSource parses face and checks it has the tables a subset needs.
func newGlyphSource(face []byte) (*glyphSource, error) {
	s := new(glyphSource)
	if err := s.p.ParseFontData(face); err != nil {
		return nil, err
	}
	var err error
	if s.src, err = readTables(face, 0); err != nil {
		return nil, err
	}
	for _, tag := range []string{"glyf", "hmtx", "maxp", "hhea", "OS/2", "name", "post"} {
		if _, ok := s.src[tag]; !ok {
			return nil, fmt.Errorf("字体缺少 %s 表", tag)
		}
	}
	s.numGlyphs = int(s.p.NumGlyphs())
	if len(s.p.LocaTable) < s.numGlyphs+1 || len(s.src["post"]) < postHeaderSize {
		return nil, errors.New("字体的 loca 或 post 表过短")
	}
	s.chars = s.p.Chars()
	return s, nil
}

// subset returns a TrueType font with the glyphs of the runes of want that
// the face has, and the runes it maps. Glyphs are renumbered (0 stays
// .notdef), composite glyphs keep their components, and the tables gopdf
// reads are rebuilt: glyf, loca (long), hmtx, cmap (format 4), maxp, hhea,
// head and a name-less post; OS/2, name and the hinting tables are copied,
// the layout tables (GSUB, GPOS, vertical metrics) are dropped.
func (s *glyphSource) subset(want []rune) ([]byte, map[rune]bool, error) {
	p, src, numGlyphs := &s.p, s.src, s.numGlyphs
	glyph := func(g int) []byte {
		start, end := int(p.LocaTable[g]), int(p.LocaTable[g+1])
		if start > end || end > len(src["glyf"]) {
			return nil
		}
		return src["glyf"][start:end]
	}

	// New glyph ids: .notdef, then the glyphs of the wanted runes in rune
	// order, then the components of composite glyphs.
	newID := map[int]int{0: 0}
	old := []int{0}
	add := func(g int) {
		if _, ok := newID[g]; !ok && g < numGlyphs {
			newID[g] = len(old)
			old = append(old, g)
		}
	}
	chars := s.chars
	covered := make(map[rune]bool, len(want))
	var mapped [][2]int // rune, old glyph
	for _, r := range want {
		if g, ok := chars[int(r)]; ok && r <= 0xFFFF && int(g) < numGlyphs {
			covered[r] = true
			mapped = append(mapped, [2]int{int(r), int(g)})
			add(int(g))
		}
	}
	for i := 0; i < len(old); i++ {
		for _, c := range components(glyph(old[i])) {
			add(int(binary.BigEndian.Uint16(glyph(old[i])[c:])))
		}
	}
	if len(old) > 0xFFFF {
		return nil, nil, errors.New("字体子集的字形过多")
	}

	glyf, loca := buildGlyf(old, newID, glyph)
	out := map[string][]byte{
		"glyf": glyf,
		"loca": loca,
		"hmtx": buildHmtx(old, src["hmtx"], int(p.NumberOfHMetrics())),
		"cmap": nil,
		"post": slices.Clone(src["post"][:postHeaderSize]),
		"maxp": slices.Clone(src["maxp"]),
		"hhea": slices.Clone(src["hhea"]),
		"head": slices.Clone(src["head"]),
		"OS/2": src["OS/2"],
		"name": src["name"],
	}
	for i := range mapped {
		mapped[i][1] = newID[mapped[i][1]]
	}
	var err error
	if out["cmap"], err = buildCmap(mapped); err != nil {
		return nil, nil, err
	}
	for _, tag := range []string{"cvt ", "fpgm", "prep", "gasp"} {
		if t, ok := src[tag]; ok {
			out[tag] = t
		}
	}
	if len(out["maxp"]) < maxpNumGlyphs+2 || len(out["hhea"]) < hheaNumberOfHMetrics+2 || len(out["head"]) < headIndexToLocFormat+2 {
		return nil, nil, errors.New("字体的 maxp、hhea 或 head 表过短")
	}
	binary.BigEndian.PutUint16(out["maxp"][maxpNumGlyphs:], uint16(len(old)))
	binary.BigEndian.PutUint16(out["hhea"][hheaNumberOfHMetrics:], uint16(len(old)))
	binary.BigEndian.PutUint16(out["head"][headIndexToLocFormat:], 1)
	binary.BigEndian.PutUint32(out["post"], 0x00030000)
	font, err := assembleFont(out)
	return font, covered, err
}

// components returns the offsets, inside a composite glyph's data, of its
// components' glyph ids; nothing for a simple or empty glyph.
func components(g []byte) []int {
	if len(g) < compositeHeader || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil
	}
	var offs []int
	for pos := compositeHeader; pos+4 <= len(g); {
		flags := binary.BigEndian.Uint16(g[pos:])
		offs = append(offs, pos+2)
		pos += 4 // flags, glyphIndex
		if flags&argsAreWords != 0 {
			pos += 4
		} else {
			pos += 2
		}
		switch {
		case flags&haveScale != 0:
			pos += 2
		case flags&haveXYScale != 0:
			pos += 4
		case flags&haveTwoByTwo != 0:
			pos += 8
		}
		if flags&moreComponents == 0 {
			break
		}
	}
	return offs
}

// buildGlyf copies the glyphs old[0], old[1], … (4-byte aligned, component
// ids renumbered) and returns the glyf table and its long loca table.
func buildGlyf(old []int, newID map[int]int, glyph func(int) []byte) (glyf, loca []byte) {
	loca = make([]byte, 4*(len(old)+1))
	for i, g := range old {
		binary.BigEndian.PutUint32(loca[4*i:], uint32(len(glyf)))
		data := glyph(g)
		start := len(glyf)
		glyf = append(glyf, data...)
		for _, c := range components(data) {
			binary.BigEndian.PutUint16(glyf[start+c:], uint16(newID[int(binary.BigEndian.Uint16(data[c:]))]))
		}
		glyf = append(glyf, make([]byte, pad4(len(data))-len(data))...)
	}
	binary.BigEndian.PutUint32(loca[4*len(old):], uint32(len(glyf)))
	return glyf, loca
}

// buildHmtx returns full metrics (advance, left side bearing) for every new
// glyph. In the source, glyphs from numberOfHMetrics on have only a left
// side bearing and share the last advance.
func buildHmtx(old []int, hmtx []byte, numberOfHMetrics int) []byte {
	out := make([]byte, 4*len(old))
	read := func(off int) uint16 {
		if off+2 > len(hmtx) {
			return 0
		}
		return binary.BigEndian.Uint16(hmtx[off:])
	}
	for i, g := range old {
		var adv, lsb uint16
		if g < numberOfHMetrics {
			adv, lsb = read(4*g), read(4*g+2)
		} else {
			adv, lsb = read(4*(numberOfHMetrics-1)), read(4*numberOfHMetrics+2*(g-numberOfHMetrics))
		}
		binary.BigEndian.PutUint16(out[4*i:], adv)
		binary.BigEndian.PutUint16(out[4*i+2:], lsb)
	}
	return out
}

// buildCmap returns a cmap table with one Windows Unicode BMP (3,1)
// subtable of format 4 for the sorted (rune, glyph) pairs. Runs of
// characters with gaps up to cmapGap share a segment that maps through
// glyphIdArray (0 for the absent ones).
func buildCmap(pairs [][2]int) ([]byte, error) {
	type segment struct{ start, end, arrayAt int }
	var segs []segment
	var ids []uint16
	for i, pr := range pairs {
		if i == 0 || pr[0]-pairs[i-1][0] > cmapGap {
			segs = append(segs, segment{start: pr[0], arrayAt: len(ids)})
		} else {
			for r := pairs[i-1][0] + 1; r < pr[0]; r++ {
				ids = append(ids, 0)
			}
		}
		segs[len(segs)-1].end = pr[0]
		ids = append(ids, uint16(pr[1]))
	}
	segs = append(segs, segment{start: 0xFFFF, end: 0xFFFF, arrayAt: -1})
	n := len(segs)
	length := 16 + 8*n + 2*len(ids)
	if length > 0xFFFF || 2*(n+len(ids)) > 0xFFFF {
		return nil, errors.New("字体子集的字符映射表过大")
	}
	const header = 12 // version, numTables, one encoding record
	t := make([]byte, header+length)
	binary.BigEndian.PutUint16(t[2:], 1)  // numTables
	binary.BigEndian.PutUint16(t[4:], 3)  // platform Windows
	binary.BigEndian.PutUint16(t[6:], 1)  // encoding Unicode BMP
	binary.BigEndian.PutUint32(t[8:], 12) // subtable offset
	s := t[header:]
	sel := 0
	for 2<<sel <= n {
		sel++
	}
	put := func(off, v int) { binary.BigEndian.PutUint16(s[off:], uint16(v)) }
	put(0, 4) // format
	put(2, length)
	put(6, 2*n)         // segCountX2
	put(8, 2<<sel)      // searchRange
	put(10, sel)        // entrySelector
	put(12, 2*n-2<<sel) // rangeShift
	ends, starts, deltas, ranges := 14, 16+2*n, 16+4*n, 16+6*n
	for i, sg := range segs {
		put(ends+2*i, sg.end)
		put(starts+2*i, sg.start)
		if sg.arrayAt < 0 { // the final 0xFFFF segment maps to .notdef
			put(deltas+2*i, 1)
			continue
		}
		// glyphIdArray[k] is read at &idRangeOffset[i] + idRangeOffset[i].
		put(ranges+2*i, 2*(n-i+sg.arrayAt))
	}
	for k, id := range ids {
		put(16+8*n+2*k, int(id))
	}
	return t, nil
}
