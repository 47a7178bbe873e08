package privacy

import (
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
)

// BenchmarkMaskOrder is the cost the rule adds to each order of a list (up to 500 per answer).
func BenchmarkMaskOrder(b *testing.B) {
	o := orders.Order{CallerName: "王小明", CallerPhone: "13812345678", Address: "协和路191弄36号404室",
		Content: "市民来电反映：协和路191弄36号楼下餐饮店油烟直排，影响楼上居民正常生活，已多次与店主沟通未果，希望相关部门尽快处理。联系电话13812345678，来电时间2025-10-01 14:30。"}
	for b.Loop() {
		MaskOrder(o)
	}
}

func BenchmarkCoarseAddress(b *testing.B) {
	for b.Loop() {
		CoarseAddress("协和路191弄36号404室")
	}
}

func BenchmarkMaskText(b *testing.B) {
	s := "市民来电反映：协和路191弄36号楼下餐饮店油烟直排，影响楼上居民正常生活，已多次与店主沟通未果，希望相关部门尽快处理。联系电话13812345678，来电时间2025-10-01 14:30。"
	for b.Loop() {
		MaskText(s, "王小明")
	}
}
