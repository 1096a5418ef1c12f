package pgstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPostgresCalls is the cost of each kind of call against the
// test PostgreSQL (skipped without it), 16 goroutines at once, each its own
// user or key.
func BenchmarkPostgresCalls(b *testing.B) {
	dbURL := testURLB(b)
	db, err := Open(context.Background(), Options{URL: dbURL})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n atomic.Int64
	b.Run("rates-take", func(b *testing.B) {
		r := db.NewRates()
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			user := fmt.Sprint("u", n.Add(1))
			for pb.Next() {
				if _, err := r.Take(context.Background(), user, time.Microsecond, 1000000); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("dedupe-first", func(b *testing.B) {
		d := db.NewDedupe("b", time.Hour, 1000)
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				d.First(fmt.Sprint("k", n.Add(1)))
			}
		})
	})
	b.Run("ping", func(b *testing.B) {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				db.pool.Exec(context.Background(), "SELECT 1")
			}
		})
	})
}
