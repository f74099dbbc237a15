module github.com/cos-sts-scf/cos-sts-scf

go 1.26.8
