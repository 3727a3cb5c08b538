# Run by gdb_batch.cmake (tools.gdb_nvme_cqe) after tools/gdb/drvsim.py:
# nvme-randread-qd1 with --break-on irq:nvme0 --break-skip 2 stops in
# drvsim_break at nvme0's third interrupt. Prints the stop, the simulated
# time, the CQE being handled (drvsim cqe, and the same entry through the C
# API and the nvme::Cqe printer), the queues, then runs to the end.
run
drvsim break
drvsim now
print drvsim_last_break.time_ps
drvsim cqe
print *(const nvme::Cqe*)drvsim_debug_nvme_cqe(0, -1, -1, 0)
drvsim queues
python
now = int(gdb.parse_and_eval("drvsim_debug_now()"))
brk = int(gdb.parse_and_eval("drvsim_last_break.time_ps"))
gdb.write("time check: drvsim now %d ps, the break %d ps: %s\n" % (now, brk, "the same" if now == brk else "DIFFERENT"))
end
delete
continue
