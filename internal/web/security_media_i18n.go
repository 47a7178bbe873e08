package web

import "github.com/civicgrid/civicgrid/internal/web/kit"

// UI strings of the upload limits, the photo checks and the tracking-code limit. Several are
// format strings (fmt verbs in the same order in both languages).
func init() {
	kit.RegisterMessages("web", map[string][2]string{
		"sec.body too large": {"提交的内容过大：最多 %d MB。", "The submission is too large: at most %d MB."},
		"sec.photos too large": {"照片总大小超出上限：一次最多 %d MB（每张最多 %d MB）。请少选几张，或在相机设置中选用较小的照片尺寸。",
			"The photos are too large together: at most %d MB per submission (%d MB each). Send fewer, or choose a smaller photo size in the camera settings."},
		"sec.file too large":  {"照片大于 %d MB（提交总共最多 %d MB）。", "larger than %d MiB (the whole submission may be %d MiB)."},
		"sec.too many photos": {"最多 %d 张照片，收到 %d 张：请删去多余的照片后再提交。", "At most %d photos; %d were sent. Remove some and submit again."},
		"sec.photo bytes":     {"第 %d 张照片（%s）超过 %d MB：请选用较小的照片。", "Photo %d (%s) is larger than %d MB: choose a smaller one."},
		// Arguments: index, name, width, height, side limit, limit in 万 pixels, limit in megapixels.
		"sec.photo pixels": {"第 %[1]d 张照片（%[2]s）为 %[3]d×%[4]d 像素，超出上限：每边最多 %[5]d 像素，总共最多 %[6]d 万像素。请在相机设置中选用较小的照片尺寸。",
			"Photo %[1]d (%[2]s) is %[3]d×%[4]d pixels, over the limit of %[5]d pixels a side and %[7]d megapixels in all. Choose a smaller photo size in the camera settings."},
		"sec.photo not image": {"第 %d 张（%s）不是照片：请上传 JPEG、PNG 或 WebP 图片。", "File %d (%s) is not a photo: send a JPEG, PNG or WebP image."},
		"sec.photo busy":      {"服务器正忙于处理其他照片，请一分钟后重试。", "The server is busy processing other photos; try again in a minute."},
		"sec.other town": {"该位置属于%s，不在您所属街镇的范围内：请按实际位置选点，或请该街镇的网格员上报。",
			"That position lies in %s, outside your town: place the point where the problem is, or ask that town's grid staff to report it."},
		"sec.track limited": {"查询过于频繁：该编号或您所在网络的错误尝试过多。请 %d 分钟后再试；如查询码遗失，请拨打 12345 市民服务热线。",
			"Too many wrong tries for this number or from your network. Try again in %d minutes; if you lost the code, call the 12345 citizen hotline."},
	})
}
