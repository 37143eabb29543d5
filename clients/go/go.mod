module github.com/elyzor/elyzor/clients/go

go 1.19
