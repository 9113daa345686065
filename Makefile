# mydocker-c: one directory per chapter, each a complete mydocker.
#   make chapter4-overlay    build it; ./run and ./mydocker then use it
#   make all                 build every chapter
#   sudo make test           unit + integration tests of every chapter
#   sudo make test-old-glibc every chapter built and unit-tested on glibc 2.31
#   sudo make test-vm        every chapter's tests in qemu VMs: pure cgroup v2
#                            (kernels 6.1, 6.12), pure v1, nested v2
#   make test-vm LAYOUTS=v1-6.1   one layout (tests/vm/run.sh lists them)
#   make test CHAPTER=X      one chapter
#   make diff FROM=A TO=B    what chapter B adds to chapter A: the code only
#   make diff FROM=A TO=B DOCS=1   the same with the READMEs' diff too
#                            (both leave out build output and chapter3/minimal)
#   make diffstat            one line per chapter step: lines of code +/-,
#                            files changed (the figures README.md's table quotes)
#   make lint                cppcheck, clang-tidy, clang-format, shellcheck
#   sudo make check-lab CHAPTER=X LAB=N   check your solution to a lab
#   sudo make check-solutions [CHAPTER=X]  each lab's reference solution
#                            (tests/labs/X/labN.patch) passes its checker,
#                            and the chapter without it does not
CHAPTERS := chapter3 chapter4-busybox chapter4-overlay chapter4-volume chapter4-commit
PRESENT := $(foreach c,$(CHAPTERS),$(if $(wildcard $(c)/Makefile),$(c)))
CHAPTER ?= $(PRESENT)
# What "make diff" never shows, as tests/diff-scope.sh (make diffstat):
# build output, and chapter3/minimal, chapter3's own first container.
DIFF_EXCLUDES := -x '*.o' -x mydocker -x minimal

.PHONY: all clean test test-old-glibc test-vm lint diff diffstat check-lab check-solutions bench $(PRESENT)

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
		echo "usage: make diff FROM=chapter3 TO=chapter4-busybox [DOCS=1]"; exit 2; fi
	@diff -ruN $(DIFF_EXCLUDES) $(if $(filter-out 0,$(DOCS)),,-x README.md) $(FROM) $(TO); [ $$? -le 1 ]

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

check-solutions:
	@tests/labs/solutions.sh $(CHAPTER)

bench:
	@scripts/bench.sh $(BENCH_ARGS)

clean:
	@for c in $(PRESENT); do $(MAKE) -s -C $$c clean; done
	rm -rf build mydocker .chapter
