package retrieval

import (
	"math/rand/v2"
	"testing"
)

func TestSignBitsPacksEverySign(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{256, 64, 100, 7} {
		v := make([]int8, n)
		for i := range v {
			v[i] = int8(rng.IntN(256) - 128)
		}
		dst := make([]uint64, (n+63)/64)
		signBits(v, dst)
		neg := 0
		for _, x := range v {
			if x < 0 {
				neg++
			}
		}
		got := 0
		for _, w := range dst {
			got += popcount(w)
		}
		if got != neg {
			t.Errorf("n=%d: %d bits set, %d negative values", n, got, neg)
		}
		// Flipping one value's sign changes the Hamming distance by one.
		for i := range v {
			w := append([]int8(nil), v...)
			if w[i] == -128 || w[i] == 0 {
				continue
			}
			w[i] = -w[i]
			d2 := make([]uint64, len(dst))
			signBits(w, d2)
			if h := hamming(dst, d2); h != 1 {
				t.Fatalf("n=%d: flipping value %d changed %d bits", n, i, h)
			}
		}
	}
}

func popcount(w uint64) int {
	n := 0
	for ; w != 0; w &= w - 1 {
		n++
	}
	return n
}
