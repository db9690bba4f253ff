mount -t tmpfs -o size=64k,mode=755 tmpfs /tmp/adv/r7/logs
dd if=/dev/zero of=/tmp/adv/r7/logs/fill bs=4k count=100 2>/dev/null
/tmp/adv/run.sh start-full-busy /tmp/adv/dr --pidfile /tmp/adv/r7/z.pid --stdout /tmp/adv/r7/logs/o.log --stderr /tmp/adv/r7/logs/e.log start -- -cp /tmp/adv/classes Http 18081
rm /tmp/adv/r7/logs/fill
/tmp/adv/run.sh start-notfull-busy /tmp/adv/dr --pidfile /tmp/adv/r7/z.pid --stdout /tmp/adv/r7/logs/o.log --stderr /tmp/adv/r7/logs/e.log start -- -cp /tmp/adv/classes Http 18081
umount /tmp/adv/r7/logs
