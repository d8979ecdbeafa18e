package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/kefu-dev/kefu/internal/store"
)

// Pictures customers attach in the demo conversations. They are small
// generated PNGs (64×64) standing in for phone photos and screenshots.
const (
	imgListingNavy  = iota // the shop's listing: the colour as pictured
	imgReceivedNavy        // what arrived: the same garment, visibly purple
	imgStain               // white fabric with a yellow stain and loose threads
	imgCracked             // a dark device with a crack and a dead LED
	imgMould               // fruit with soft, mouldy spots
	imgBox                 // a crushed parcel box with tape and a label
	imgWrongItem           // a red T-shirt nobody ordered
	imgTag                 // a care label with a fibre composition
	imgErrorDialog         // a screenshot of an error dialog
	numImages
)

// picture is one generated image stored as a blob.
type picture struct {
	sum, contentType string
	size             int64
	screenshot       bool
}

type painter func(x, y int) color.RGBA

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 255} }

// paint returns the painter of picture i.
func paint(i int) painter {
	switch i {
	case imgListingNavy:
		return weave(rgb(31, 42, 84), rgb(38, 50, 96))
	case imgReceivedNavy:
		return weave(rgb(74, 48, 110), rgb(84, 56, 122))
	case imgStain:
		base := weave(rgb(244, 242, 236), rgb(236, 233, 226))
		return func(x, y int) color.RGBA {
			dx, dy := x-22, y-26
			if dx*dx+dy*dy*2 < 90 {
				return rgb(214, 184, 96)
			}
			if (x == 50 && y > 40) || (y == 55 && x > 44 && x < 60) {
				return rgb(40, 40, 40)
			}
			return base(x, y)
		}
	case imgCracked:
		return func(x, y int) color.RGBA {
			if abs(y-(x*3/4+8)) <= 1 && x > 6 && x < 58 {
				return rgb(200, 200, 205)
			}
			if x >= 48 && x <= 52 && y >= 8 && y <= 12 {
				return rgb(70, 70, 70) // the LED that stays dark
			}
			return rgb(36, 38, 44)
		}
	case imgMould:
		return func(x, y int) color.RGBA {
			for _, c := range [][2]int{{18, 20}, {40, 34}, {28, 48}} {
				dx, dy := x-c[0], y-c[1]
				if dx*dx+dy*dy < 40 {
					return rgb(150, 160, 140)
				}
			}
			if (x/16+y/16)%2 == 0 {
				return rgb(232, 120, 30)
			}
			return rgb(214, 96, 24)
		}
	case imgBox:
		return func(x, y int) color.RGBA {
			switch {
			case x >= 28 && x <= 35:
				return rgb(196, 170, 120) // tape
			case x >= 40 && x <= 58 && y >= 40 && y <= 56:
				if y%4 == 0 {
					return rgb(30, 30, 30)
				}
				return rgb(250, 250, 250) // waybill
			case y > 52-x/4:
				return rgb(150, 110, 64)
			}
			return rgb(170, 128, 78)
		}
	case imgWrongItem:
		return func(x, y int) color.RGBA {
			inBody := x >= 18 && x <= 46 && y >= 16 && y <= 58
			inSleeves := y >= 16 && y <= 30 && x >= 6 && x <= 58
			if (inBody || inSleeves) && !(y < 22 && x >= 26 && x <= 38) {
				return rgb(196, 30, 45)
			}
			return rgb(230, 230, 230)
		}
	case imgTag:
		return func(x, y int) color.RGBA {
			if x >= 12 && x <= 52 && y >= 6 && y <= 58 {
				if y%7 == 0 && x >= 16 && x <= 16+(y*13)%32 {
					return rgb(40, 40, 40)
				}
				return rgb(252, 252, 248)
			}
			return rgb(90, 110, 140)
		}
	case imgErrorDialog:
		return func(x, y int) color.RGBA {
			switch {
			case y < 10:
				return rgb(60, 90, 160) // title bar
			case x >= 8 && x <= 56 && y >= 22 && y <= 30:
				return rgb(205, 40, 40) // the error
			case x >= 40 && x <= 56 && y >= 46 && y <= 54:
				return rgb(180, 180, 180) // OK button
			}
			return rgb(240, 240, 240)
		}
	}
	return func(int, int) color.RGBA { return rgb(128, 128, 128) }
}

// weave alternates two colours in a fine twill so a swatch looks like cloth.
func weave(a, b color.RGBA) painter {
	return func(x, y int) color.RGBA {
		if (x+y)%4 < 2 {
			return a
		}
		return b
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// encodePicture renders picture i as PNG bytes.
func encodePicture(i int) ([]byte, error) {
	const side = 64
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	p := paint(i)
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			img.SetRGBA(x, y, p(x, y))
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode demo picture %d: %w", i, err)
	}
	return buf.Bytes(), nil
}

// storePictures renders every picture and stores it as a blob.
func storePictures(ctx context.Context, st *store.Store) ([]picture, error) {
	pics := make([]picture, numImages)
	for i := range pics {
		data, err := encodePicture(i)
		if err != nil {
			return nil, err
		}
		sum, ct, err := st.PutBlob(ctx, data)
		if err != nil {
			return nil, err
		}
		pics[i] = picture{sum: sum, contentType: ct, size: int64(len(data)), screenshot: i == imgErrorDialog}
	}
	return pics, nil
}
