# Shared by the layers' Makefiles (included by path: `sam build` runs make with --makefile pointing at
# the layer's own Makefile, from a scratch copy of the layer). Wheels are chosen for Lambda (CPython
# 3.13 on Amazon Linux 2023), whatever Python runs the build.
LAMBDA_ARCHITECTURE ?= arm64
PYTHON ?= python3
machine_arm64 := aarch64
machine_x86_64 := x86_64
MACHINE := $(machine_$(LAMBDA_ARCHITECTURE))
# Lambda's Amazon Linux 2023 has glibc 2.34: any manylinux wheel up to that level runs there.
PLATFORMS := $(foreach tag,manylinux2014 manylinux_2_28 manylinux_2_34,--platform $(tag)_$(MACHINE))
LAMBDA_WHEELS := $(PLATFORMS) --implementation cp --python-version 3.13 --only-binary=:all:
