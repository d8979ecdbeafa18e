package email

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseCorpus parses every mail of the corpus per iteration and
// reports mails/s and MB/s (b.SetBytes is the corpus size).
func BenchmarkParseCorpus(b *testing.B) {
	files, _ := filepath.Glob("testdata/mails/*.eml")
	var mails [][]byte
	size := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		mails = append(mails, raw)
		size += len(raw)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, raw := range mails {
			Parse(raw)
		}
	}
	b.ReportMetric(float64(b.N*len(mails))/b.Elapsed().Seconds(), "mails/s")
}

// BenchmarkParseSmall is the common case: a short text mail without
// attachments, the corpus minus its one 2 MB video.
func BenchmarkParseSmall(b *testing.B) {
	files, _ := filepath.Glob("testdata/mails/*.eml")
	var mails [][]byte
	size := 0
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		if len(raw) > 1<<20 {
			continue
		}
		mails = append(mails, raw)
		size += len(raw)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, raw := range mails {
			Parse(raw)
		}
	}
	b.ReportMetric(float64(b.N*len(mails))/b.Elapsed().Seconds(), "mails/s")
}
