package media

import (
	"encoding/binary"
)

// gpsFromJPEG reads the GPS latitude and longitude from a JPEG's EXIF block, if any. It is a
// small, bounds-checked reader of the few TIFF tags involved; anything unexpected yields no position.
func gpsFromJPEG(b []byte) (lat, lng *float64) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil, nil
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return nil, nil
		}
		marker := b[i+1]
		size := int(binary.BigEndian.Uint16(b[i+2:]))
		if size < 2 || i+2+size > len(b) {
			return nil, nil
		}
		seg := b[i+4 : i+2+size]
		if marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			return gpsFromTIFF(seg[6:])
		}
		if marker == 0xDA { // start of scan: no more metadata
			return nil, nil
		}
		i += 2 + size
	}
	return nil, nil
}

func gpsFromTIFF(t []byte) (lat, lng *float64) {
	if len(t) < 8 {
		return nil, nil
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil, nil
	}
	ifd0 := int(bo.Uint32(t[4:]))
	gpsOff := -1
	forEachTag(t, bo, ifd0, func(tag uint16, typ uint16, count uint32, valOff int) {
		if tag == 0x8825 {
			gpsOff = int(bo.Uint32(t[valOff:]))
		}
	})
	if gpsOff < 0 {
		return nil, nil
	}
	var latRef, lngRef byte
	var latV, lngV *float64
	forEachTag(t, bo, gpsOff, func(tag uint16, typ uint16, count uint32, valOff int) {
		switch tag {
		case 1:
			latRef = t[valOff]
		case 3:
			lngRef = t[valOff]
		case 2, 4:
			if typ != 5 || count != 3 {
				return
			}
			off := int(bo.Uint32(t[valOff:]))
			if off < 0 || off+24 > len(t) {
				return
			}
			var v float64
			for k, div := range []float64{1, 60, 3600} {
				num := float64(bo.Uint32(t[off+8*k:]))
				den := float64(bo.Uint32(t[off+8*k+4:]))
				if den == 0 {
					return
				}
				v += num / den / div
			}
			if tag == 2 {
				latV = &v
			} else {
				lngV = &v
			}
		}
	})
	if latV == nil || lngV == nil {
		return nil, nil
	}
	if latRef == 'S' {
		*latV = -*latV
	}
	if lngRef == 'W' {
		*lngV = -*lngV
	}
	if *latV < -90 || *latV > 90 || *lngV < -180 || *lngV > 180 {
		return nil, nil
	}
	return latV, lngV
}

// forEachTag calls fn with each entry of the IFD at off; valOff is the offset of the 4-byte value field.
func forEachTag(t []byte, bo binary.ByteOrder, off int, fn func(tag, typ uint16, count uint32, valOff int)) {
	if off < 0 || off+2 > len(t) {
		return
	}
	n := int(bo.Uint16(t[off:]))
	for k := 0; k < n && k < 256; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return
		}
		fn(bo.Uint16(t[e:]), bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:]), e+8)
	}
}
