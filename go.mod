module github.com/cos-sts-scf/cos-sts-scf

go 1.26.8

require (
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common v1.3.211
	github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sts v1.1.11
	github.com/tencentyun/scf-go-lib v0.0.0-20230904103145-13c9a7eeca80
	go.yaml.in/yaml/v3 v3.0.6
)
