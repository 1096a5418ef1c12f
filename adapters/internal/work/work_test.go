package work

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestReserveIsBounded(t *testing.T) {
	q := New(2, time.Minute, nil)
	a, err1 := q.Reserve()
	b, err2 := q.Reserve()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if _, err := q.Reserve(); !errors.Is(err, ErrFull) {
		t.Fatalf("third reservation of 2: %v, want ErrFull", err)
	}
	a.Release()
	a.Release() // twice counts once
	if q.Len() != 1 {
		t.Errorf("len %d after one release, want 1", q.Len())
	}
	release := make(chan struct{})
	b.Go(context.Background(), func(ctx context.Context) { <-release })
	if _, err := q.Reserve(); err != nil {
		t.Errorf("a place was free: %v", err)
	}
	close(release)
}

// TestJobsOutliveTheirRequestNotTheTimeout: a job's context survives the
// request that acknowledged it, ends at the timeout, and the slot is given
// back when the job returns.
func TestJobsOutliveTheirRequestNotTheTimeout(t *testing.T) {
	q := New(1, 50*time.Millisecond, nil)
	s, _ := q.Reserve()
	req, cancel := context.WithCancel(context.Background())
	cancel() // the request is over once acknowledged
	done := make(chan error, 1)
	s.Go(req, func(ctx context.Context) {
		if ctx.Err() != nil {
			done <- errors.New("the job's context ended with its request")
			return
		}
		<-ctx.Done()
		// Its notice context still lasts.
		nctx, stop := Notice(ctx)
		defer stop()
		done <- nctx.Err()
	})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for q.Len() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if q.Len() != 0 {
		t.Error("slot not given back")
	}
}

// TestShutdownWaitsThenStops: Shutdown refuses new jobs, waits for those
// taken, and when its context ends, ends theirs; a panic in a job is
// contained.
func TestShutdownWaitsThenStops(t *testing.T) {
	q := New(4, time.Hour, nil)
	var finished atomic.Int64
	quick, _ := q.Reserve()
	quick.Go(context.Background(), func(ctx context.Context) {
		time.Sleep(20 * time.Millisecond)
		finished.Add(1)
	})
	stuck, _ := q.Reserve()
	stopped := make(chan struct{})
	stuck.Go(context.Background(), func(ctx context.Context) {
		<-ctx.Done()
		close(stopped)
	})
	panicky, _ := q.Reserve()
	panicky.Go(context.Background(), func(context.Context) { panic("boom") })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := q.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want the deadline (one job never finishes by itself)", err)
	}
	select {
	case <-stopped:
	default:
		t.Error("the stuck job's context did not end")
	}
	if finished.Load() != 1 {
		t.Error("the quick job did not finish")
	}
	if _, err := q.Reserve(); !errors.Is(err, ErrClosing) {
		t.Errorf("Reserve after Shutdown: %v, want ErrClosing", err)
	}
}
