package regform

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"sort"
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
// collection: its tables are copied into a new file (see assembleFont).
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
	tables, err := readTables(ttc, face)
	if err != nil {
		return nil, err
	}
	return assembleFont(tables)
}

// readTables returns the tables of the sfnt whose offset table starts at
// dir in file (offsets are relative to the start of file, as in a
// collection).
func readTables(file []byte, dir int) (map[string][]byte, error) {
	numTables := int(binary.BigEndian.Uint16(file[dir+4:]))
	dirEnd := dir + tableDirStart + numTables*tableRecSize
	if numTables == 0 || dirEnd > len(file) {
		return nil, errors.New("字体的表目录越界")
	}
	tables := make(map[string][]byte, numTables)
	for i := range numTables {
		rec := file[dir+tableDirStart+i*tableRecSize:][:tableRecSize]
		off := uint64(binary.BigEndian.Uint32(rec[8:]))
		n := uint64(binary.BigEndian.Uint32(rec[12:]))
		if off+n > uint64(len(file)) {
			return nil, fmt.Errorf("字体表 %q 越界", rec[:4])
		}
		tables[string(rec[:4])] = file[off : off+n]
	}
	return tables, nil
}

// assembleFont writes a TrueType file of tables: the offset table, the
// table records in tag order, every table 4-byte aligned with its
// checksum, and head.checkSumAdjustment for the whole file.
func assembleFont(tables map[string][]byte) ([]byte, error) {
	head, ok := tables[tagHead]
	if !ok || len(head) < 12 {
		return nil, errors.New("字体缺少 head 表或 head 表过短")
	}
	tags := make([]string, 0, len(tables))
	size := tableDirStart + len(tables)*tableRecSize
	for tag, data := range tables {
		tags = append(tags, tag)
		size += pad4(len(data))
	}
	sort.Strings(tags)

	out := make([]byte, size)
	n := len(tags)
	// searchRange, entrySelector, rangeShift (OpenType spec, table directory).
	sel := bits.Len(uint(n)) - 1
	binary.BigEndian.PutUint32(out, sfntTrueType)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(16<<sel))
	binary.BigEndian.PutUint16(out[8:], uint16(sel))
	binary.BigEndian.PutUint16(out[10:], uint16(n*16-16<<sel))
	pos := tableDirStart + n*tableRecSize
	headPos := 0
	for i, tag := range tags {
		data := tables[tag]
		rec := out[tableDirStart+i*tableRecSize:][:tableRecSize]
		copy(rec, tag)
		copy(out[pos:], data)
		if tag == tagHead {
			headPos = pos
			// checkSumAdjustment counts as zero in every checksum.
			binary.BigEndian.PutUint32(out[pos+8:], 0)
		}
		binary.BigEndian.PutUint32(rec[4:], checksum(out[pos:pos+pad4(len(data))]))
		binary.BigEndian.PutUint32(rec[8:], uint32(pos))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(data)))
		pos += pad4(len(data))
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
