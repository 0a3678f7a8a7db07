package textfmt_test

import (
	"fmt"
	"time"

	"github.com/warrenmq/warren/internal/textfmt"
)

func ExampleBytes() {
	fmt.Println(textfmt.Bytes(512))
	fmt.Println(textfmt.Bytes(4096))
	fmt.Println(textfmt.Bytes(5_000_000))
	fmt.Println(textfmt.Bytes(1536 << 20))
	// Output:
	// 512 B
	// 4.0 KiB
	// 4.8 MiB
	// 1.5 GiB
}

func ExampleCount() {
	fmt.Println(textfmt.Count(48210))
	fmt.Println(textfmt.Thousands("1234567.5"))
	// Output:
	// 48,210
	// 1,234,567.5
}

func ExampleNumber() {
	fmt.Println(textfmt.Number(7.142857))
	fmt.Println(textfmt.Number(0.0125))
	fmt.Println(textfmt.Number(1204.4))
	// Output:
	// 7.14
	// 0.0125
	// 1,204
}

func ExampleRate() {
	fmt.Println(textfmt.Rate(999.44))
	fmt.Println(textfmt.Rate(2000))
	// Output:
	// 999.4 msg/s
	// 2,000 msg/s
}

func ExampleSeconds() {
	fmt.Println(textfmt.Seconds(0.0125))
	fmt.Println(textfmt.Seconds(45))
	fmt.Println(textfmt.Seconds(750))
	fmt.Println(textfmt.Duration(3*time.Hour + 30*time.Minute))
	fmt.Println(textfmt.Micros(2300)) // a latency as warren records it
	// Output:
	// 12.5 ms
	// 45 s
	// 12.5 min
	// 3.5 h
	// 2.3 ms
}

func ExamplePlural() {
	fmt.Println(textfmt.Plural(1, "queue"))
	fmt.Println(textfmt.Plural(int64(1200), "message"))
	// Output:
	// 1 queue
	// 1,200 messages
}

func ExampleEscapeMarkdown() {
	fmt.Println(textfmt.EscapeMarkdown("queue *orders_v2* is\nfull"))
	fmt.Println("| " + textfmt.MarkdownCell("a|b") + " |")
	// Output:
	// queue \*orders\_v2\* is full
	// | a\|b |
}
