"""Printers: the OS spooler (CUPS on Linux, the Windows spooler), ESC/POS raster for driverless
thermal printers, and PDF to a file. One worker thread owns them all (`worker.PrinterWorker`);
every job is recorded in the database before it is sent (`kiosk.storage.print_jobs`).

Destinations are strings: `""` the system default queue, a queue name, `file:/path/x.pdf`,
`escpos:/dev/usb/lp0`, `escpos:tcp://192.0.2.10:9100`. This package imports no Qt.
"""
