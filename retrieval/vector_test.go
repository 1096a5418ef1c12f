package retrieval

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

func randomUnit(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	normalise(v)
	return v
}

func dotFloat(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestQuantizeDot(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const dims = 256
	qa, qb := make([]int8, dims), make([]int8, dims)
	for i := range 500 {
		a, b := randomUnit(r, dims), randomUnit(r, dims)
		if i%5 == 0 {
			// Related vectors, so that large products are tried too.
			for k := range b {
				b[k] = a[k] + 0.3*b[k]
			}
			normalise(b)
		}
		sa, sb := quantize(a, qa), quantize(b, qb)
		got := float64(dotInt8(qa, qb)) * float64(sa) * float64(sb)
		if want := dotFloat(a, b); math.Abs(got-want) > 0.02 {
			t.Fatalf("pair %d: quantised dot %v, float dot %v", i, got, want)
		}
	}
}

func TestQuantize(t *testing.T) {
	v := []float32{0.5, -1, 0.25, 0, 1e-9}
	q := make([]int8, len(v))
	scale := quantize(v, q)
	if want := float32(1.0 / 127); math.Abs(float64(scale-want)) > 1e-7 {
		t.Errorf("scale = %v, want %v", scale, want)
	}
	if want := []int8{64, -127, 32, 0, 0}; string(int8s(q)) != string(int8s(want)) {
		t.Errorf("quantised = %v, want %v", q, want)
	}
	zero := []int8{5, 5}
	if s := quantize([]float32{0, 0}, zero); s != 0 || zero[0] != 0 || zero[1] != 0 {
		t.Errorf("zero vector: scale %v, values %v", s, zero)
	}
}

func int8s(q []int8) []byte {
	b := make([]byte, len(q))
	for i, x := range q {
		b[i] = byte(x)
	}
	return b
}

func TestDotInt8(t *testing.T) {
	tests := []struct {
		a, b []int8
		want int32
	}{
		{nil, nil, 0},
		{[]int8{1}, []int8{2}, 2},
		{[]int8{127, -127, 127}, []int8{127, 127, 127}, 127 * 127},
		{[]int8{1, 2, 3, 4, 5, 6, 7}, []int8{7, 6, 5, 4, 3, 2, 1}, 84}, // not a multiple of 4
		{[]int8{-128, -128, -128, -128}, []int8{-128, -128, -128, -128}, 4 * 128 * 128},
	}
	for _, tt := range tests {
		if got := dotInt8(tt.a, tt.b); got != tt.want {
			t.Errorf("dotInt8(%v, %v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	// 256 products of the extremes do not overflow int32.
	a := make([]int8, 256)
	for i := range a {
		a[i] = -128
	}
	if got := dotInt8(a, a); got != 256*128*128 {
		t.Errorf("dotInt8 of extremes = %d", got)
	}
}

func TestVectorStore(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vs := vectorStore{dims: 64}
	vecs := make([][]float32, 5)
	for i := range vecs {
		vecs[i] = randomUnit(r, 64)
		vs.add(vecs[i])
	}
	if vs.len() != 5 || len(vs.q) != 5*64 {
		t.Fatalf("store holds %d vectors, %d values", vs.len(), len(vs.q))
	}
	for i, v := range vecs {
		f := vs.float(i)
		if cos := dotFloat(f, v); cos < 0.999 {
			t.Errorf("vector %d: dequantised cosine %v", i, cos)
		}
		if n := dotFloat(f, f); math.Abs(n-1) > 1e-5 {
			t.Errorf("vector %d: dequantised norm² %v, want 1", i, n)
		}
		if len(vs.row(i)) != 64 || cap(vs.row(i)) != 64 {
			t.Errorf("row %d has len %d cap %d", i, len(vs.row(i)), cap(vs.row(i)))
		}
	}
}

func TestBuiltinEmbedder(t *testing.T) {
	ctx := context.Background()
	emb := BuiltinEmbedder(0)
	embed := func(s string) []float32 {
		t.Helper()
		v, err := emb.Embed(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, s := range []string{"wireless networks", "", "the and of", "Wi-Fi"} {
		v := embed(s)
		if len(v) != builtinDims {
			t.Fatalf("Embed(%q) has %d dimensions", s, len(v))
		}
		if n := dotFloat(v, v); math.Abs(n-1) > 1e-5 {
			t.Errorf("Embed(%q) has norm² %v, want 1", s, n)
		}
	}
	a, b := embed("troubleshooting network faults"), embed("troubleshooting network faults")
	if dotFloat(a, b) < 0.99999 {
		t.Error("Embed is not deterministic")
	}
	sim := func(x, y string) float64 { return dotFloat(embed(x), embed(y)) }
	tests := []struct {
		a, near, far string
	}{
		{"troubleshooting", "troubleshoting", "catering"},
		{"wifi", "wireless", "payroll"},
		{"DNS", "domain name system", "pastry"},
		{"organization", "organisation", "organ"},
	}
	for _, tt := range tests {
		if n, f := sim(tt.a, tt.near), sim(tt.a, tt.far); n <= f {
			t.Errorf("sim(%q, %q) = %v not above sim(%q, %q) = %v", tt.a, tt.near, n, tt.a, tt.far, f)
		}
	}
	if other := BuiltinEmbedder(128); other.Name == emb.Name {
		t.Error("embedders of different sizes share a name")
	}
	if v, _ := BuiltinEmbedder(128).Embed(ctx, "x"); len(v) != 128 {
		t.Errorf("BuiltinEmbedder(128) gave %d dimensions", len(v))
	}
}
