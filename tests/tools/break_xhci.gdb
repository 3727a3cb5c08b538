# Run by gdb_batch.cmake (tools.gdb_xhci_event) after tools/gdb/drvsim.py:
# usb-enumerate with --break-on irq:xhci0 --break-skip 2 stops in
# drvsim_break at xhci0's third interrupt. Prints the stop, the simulated
# time, the event ring's dequeue state and the event TRB being handled
# (drvsim event-ring, and the same TRB through the xhci::Trb printer), then
# runs to the end.
run
drvsim break
drvsim now
print drvsim_last_break.time_ps
drvsim event-ring
print *(const xhci::Trb*)drvsim_debug_xhci_event(0, -1, -1, 0)
python
now = int(gdb.parse_and_eval("drvsim_debug_now()"))
brk = int(gdb.parse_and_eval("drvsim_last_break.time_ps"))
gdb.write("time check: drvsim now %d ps, the break %d ps: %s\n" % (now, brk, "the same" if now == brk else "DIFFERENT"))
end
delete
continue
