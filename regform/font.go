package regform

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// sfnt versions accepted as a TrueType face. gopdf parses only 0x00010000
// (TrueType outlines); 'OTTO' (CFF outlines) is reported as unusable.
const (
	sfntTrueType = 0x00010000
	tagTTC       = "ttcf"
	tagHead      = "head"
	// checkSumMagic is the constant of head.checkSumAdjustment (OpenType spec).
	checkSumMagic = 0xB1B0AFBA
	tableDirStart = 12 // offset table: version, numTables, searchRange, entrySelector, rangeShift
	tableRecSize  = 16 // tag, checksum, offset, length
)

// loadFontFile reads the font at path and returns standalone TrueType data:
// a .ttf as it is, the first face of a .ttc collection extracted.
func loadFontFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) >= 4 && string(data[:4]) == tagTTC {
		return extractFirstFace(data)
	}
	return data, nil
}

// extractFirstFace builds a standalone sfnt from face 0 of a TrueType
// collection: its offset table and table records are copied, every table is
// copied 4-byte aligned after the directory with recomputed offsets and
// checksums, and head.checkSumAdjustment is recomputed for the new file.
func extractFirstFace(ttc []byte) ([]byte, error) {
	if len(ttc) < 16 || string(ttc[:4]) != tagTTC {
		return nil, errors.New("不是 TrueType 字体集合（ttc）文件")
	}
	if binary.BigEndian.Uint32(ttc[8:12]) == 0 {
		return nil, errors.New("字体集合中没有字体")
	}
	face := int(binary.BigEndian.Uint32(ttc[12:16]))
	if face < 0 || face+tableDirStart > len(ttc) {
		return nil, errors.New("字体集合的偏移表越界")
	}
	if v := binary.BigEndian.Uint32(ttc[face:]); v != sfntTrueType {
		return nil, fmt.Errorf("字体集合的第一个字体不是 TrueType 轮廓（版本 %#08x）", v)
	}
	numTables := int(binary.BigEndian.Uint16(ttc[face+4:]))
	dirEnd := face + tableDirStart + numTables*tableRecSize
	if numTables == 0 || dirEnd > len(ttc) {
		return nil, errors.New("字体集合的表目录越界")
	}

	type table struct {
		rec  []byte // the 16-byte record in the collection
		data []byte
	}
	tables := make([]table, numTables)
	size := tableDirStart + numTables*tableRecSize
	for i := range tables {
		rec := ttc[face+tableDirStart+i*tableRecSize:][:tableRecSize]
		off := uint64(binary.BigEndian.Uint32(rec[8:]))
		n := uint64(binary.BigEndian.Uint32(rec[12:]))
		if off+n > uint64(len(ttc)) {
			return nil, fmt.Errorf("字体表 %q 越界", rec[:4])
		}
		tables[i] = table{rec: rec, data: ttc[off : off+n]}
		size += pad4(len(tables[i].data))
	}

	out := make([]byte, size)
	copy(out, ttc[face:face+tableDirStart])
	pos := tableDirStart + numTables*tableRecSize
	headPos := -1
	for i, t := range tables {
		rec := out[tableDirStart+i*tableRecSize:][:tableRecSize]
		copy(rec, t.rec[:4])
		copy(out[pos:], t.data)
		if string(t.rec[:4]) == tagHead {
			if len(t.data) < 12 {
				return nil, errors.New("字体 head 表过短")
			}
			headPos = pos
			// checkSumAdjustment counts as zero in every checksum.
			binary.BigEndian.PutUint32(out[pos+8:], 0)
		}
		binary.BigEndian.PutUint32(rec[4:], checksum(out[pos:pos+pad4(len(t.data))]))
		binary.BigEndian.PutUint32(rec[8:], uint32(pos))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(t.data)))
		pos += pad4(len(t.data))
	}
	if headPos < 0 {
		return nil, errors.New("字体缺少 head 表")
	}
	binary.BigEndian.PutUint32(out[headPos+8:], checkSumMagic-checksum(out))
	return out, nil
}

// pad4 rounds n up to a multiple of 4.
func pad4(n int) int { return (n + 3) &^ 3 }

// checksum is the sfnt table checksum: the sum of big-endian uint32 words,
// a short tail padded with zeros.
func checksum(b []byte) uint32 {
	var sum uint32
	for len(b) >= 4 {
		sum += binary.BigEndian.Uint32(b)
		b = b[4:]
	}
	var tail [4]byte
	copy(tail[:], b)
	return sum + binary.BigEndian.Uint32(tail[:])
}
