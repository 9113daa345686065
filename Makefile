# mydocker-c: one directory per chapter, each a complete mydocker.
#   make chapter4-overlay    build it; ./run and ./mydocker then use it
#   make all                 build every chapter
#   sudo make test           unit + integration tests of every chapter
#   sudo make test-old-glibc every chapter built and unit-tested on glibc 2.31
#   sudo make test-vm        every chapter's tests in qemu VMs: pure cgroup v2
#                            (kernels 6.1, 6.12), pure v1, nested v2
#   make test-vm LAYOUTS=v1-6.1   one layout (tests/vm/run.sh lists them)
#   make test CHAPTER=X      one chapter
#   make diff FROM=A TO=B    what chapter B adds to chapter A
#   make diffstat            one line per chapter step: files, lines +/-
#   make lint                cppcheck, clang-tidy, clang-format, shellcheck
#   sudo make check-lab CHAPTER=X LAB=N   check your solution to a lab
CHAPTERS := chapter3 chapter4-busybox chapter4-overlay chapter4-volume chapter4-commit
PRESENT := $(foreach c,$(CHAPTERS),$(if $(wildcard $(c)/Makefile),$(c)))
CHAPTER ?= $(PRESENT)

.PHONY: all clean test test-old-glibc test-vm lint diff diffstat check-lab bench $(PRESENT)

all:
	@for c in $(PRESENT); do $(MAKE) -s -C $$c || exit 1; done

$(PRESENT):
	@$(MAKE) -s -C $@
	@ln -sfn $@/mydocker mydocker
	@echo $@ > .chapter
	@echo "built $@/mydocker; ./run and ./mydocker now use $@"

test:
	@tests/run.sh $(CHAPTER)

lint:
	@tests/lint.sh $(CHAPTER)

diff:
	@if [ -z "$(FROM)" ] || [ -z "$(TO)" ]; then \
		echo "usage: make diff FROM=chapter3 TO=chapter4-busybox"; exit 2; fi
	@diff -ruN -x '*.o' -x mydocker $(FROM) $(TO); [ $$? -le 1 ]

test-old-glibc:
	@tests/old-glibc.sh

test-vm:
	@tests/vm/run.sh $(LAYOUTS)

diffstat:
	@tests/diff-scope.sh --stat

check-lab:
	@if [ -z "$(LAB)" ] || [ ! -f "tests/labs/$(CHAPTER)/lab$(LAB).sh" ]; then \
		echo "usage: sudo make check-lab CHAPTER=chapter3 LAB=1 (labs: ls tests/labs/*/)"; exit 2; fi
	@$(MAKE) -s -C $(CHAPTER)
	@MYDOCKER="$(CURDIR)/$(CHAPTER)/mydocker" REPO="$(CURDIR)" bash tests/labs/$(CHAPTER)/lab$(LAB).sh

bench:
	@scripts/bench.sh $(BENCH_ARGS)

clean:
	@for c in $(PRESENT); do $(MAKE) -s -C $$c clean; done
	rm -rf build mydocker .chapter
