package orders

// SetExportCap lowers the export's row cap for a test and returns what restores it.
func SetExportCap(n int) (restore func()) {
	old := exportCap.Swap(int64(n))
	return func() { exportCap.Store(old) }
}
