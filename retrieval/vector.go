package retrieval

import "math"

// vectorStore holds every passage's vector quantised to int8 with one scale
// per vector: a quarter of the bytes of float32, so the persisted index
// loads and a whole-corpus scan runs in a quarter of the memory traffic, at
// a cost to cosine similarity well under what ranking can notice.
type vectorStore struct {
	dims  int
	q     []int8    // n*dims, row-major
	scale []float32 // per vector: value = q * scale
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
