package retrieval

import (
	"encoding/binary"
	"math"
	"math/bits"
	"unsafe"
)

// vectorStore holds every passage's vector quantised to int8 with one scale
// per vector: a quarter of the bytes of float32, so the persisted index
// loads and a whole-corpus scan runs in a quarter of the memory traffic, at
// a cost to cosine similarity well under what ranking can notice.
type vectorStore struct {
	dims  int
	q     []int8    // n*dims, row-major
	scale []float32 // per vector: value = q * scale
	// sig holds each vector's signs, one bit a dimension (words a vector):
	// a whole-corpus scan compares these by Hamming distance, 32 bytes a
	// vector instead of 256, and rescores only the nearest exactly.
	sig   []uint64
	words int
}

// quantize writes v as int8 into dst and returns the scale.
func quantize(v []float32, dst []int8) float32 {
	var maxAbs float32
	for _, x := range v {
		maxAbs = max(maxAbs, float32(math.Abs(float64(x))))
	}
	if maxAbs == 0 {
		clear(dst)
		return 0
	}
	scale := maxAbs / 127
	inv := 1 / scale
	for i, x := range v {
		dst[i] = int8(math.Round(float64(x * inv)))
	}
	return scale
}

func (vs *vectorStore) add(v []float32) {
	start := len(vs.q)
	vs.q = append(vs.q, make([]int8, vs.dims)...)
	vs.scale = append(vs.scale, quantize(v, vs.q[start:]))
}

func (vs *vectorStore) len() int { return len(vs.scale) }

// signatures computes the sign bits of every vector.
func (vs *vectorStore) signatures() {
	vs.words = (vs.dims + 63) / 64
	n := vs.len()
	vs.sig = make([]uint64, n*vs.words)
	parallel(n, func(i int) {
		signBits(vs.row(i), vs.sig[i*vs.words:(i+1)*vs.words])
	})
}

// signBits packs the sign bits of v into dst, eight values at a time: the
// top bit of each byte gathered by one multiplication. The order of bits in
// a word is not that of the values, but it is the same for every vector,
// which is all a Hamming distance needs.
func signBits(v []int8, dst []uint64) {
	clear(dst)
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
	k := 0
	for ; k+8 <= len(b); k += 8 {
		m := binary.LittleEndian.Uint64(b[k:]) & 0x8080808080808080
		dst[k>>6] |= ((m * 0x0002040810204081) >> 56) << (k & 63)
	}
	for ; k < len(b); k++ {
		if b[k]&0x80 != 0 {
			dst[k>>6] |= 1 << (k & 63)
		}
	}
}

// hamming4 is the Hamming distance of two 256-bit signatures.
func hamming4(a, b []uint64) int {
	a, b = a[:4], b[:4]
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

func hamming(a, b []uint64) int {
	d := 0
	for i := range a {
		d += bits.OnesCount64(a[i] ^ b[i])
	}
	return d
}

// row returns vector i's quantised values.
func (vs *vectorStore) row(i int) []int8 { return vs.q[i*vs.dims : (i+1)*vs.dims : (i+1)*vs.dims] }

// float returns vector i as float32, for the chromem-go store.
func (vs *vectorStore) float(i int) []float32 {
	out := make([]float32, vs.dims)
	s := vs.scale[i]
	for k, x := range vs.row(i) {
		out[k] = float32(x) * s
	}
	normalise(out)
	return out
}

// dotInt8 is the dot product of two quantised vectors.
func dotInt8(a, b []int8) int32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 int32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += int32(a[i]) * int32(b[i])
		s1 += int32(a[i+1]) * int32(b[i+1])
		s2 += int32(a[i+2]) * int32(b[i+2])
		s3 += int32(a[i+3]) * int32(b[i+3])
	}
	for ; i < len(a); i++ {
		s0 += int32(a[i]) * int32(b[i])
	}
	return s0 + s1 + s2 + s3
}
