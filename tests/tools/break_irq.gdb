# Run by tests/tools/gdb_break.cmake after tools/gdb/drvsim.py: the run
# stops in drvsim_break at the third interrupt (--break-on irq --break-skip 2).
run
bt 1
drvsim break
print info->vector
print *info
drvsim now
drvsim irqs
drvsim config 2
drvsim trace 4
drvsim queues
delete
continue
