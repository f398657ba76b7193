package inspect
import ("testing";"fmt";"strings")
func TestZZ(t *testing.T){
  c := newCompiler(); if err:=c.addBuiltin(); err!=nil {t.Fatal(err)}
  // count trie nodes per concept
  type node map[byte]int
  nodes:=[]node{{}}
  per:=map[string]int{}
  for i,sy:=range c.syms { s:=0; cn:=c.concepts[c.pats[i].concept].name; if cn=="" {cn=fmt.Sprintf("solo:%s", c.sigs[c.concepts[c.pats[i].concept].solo].name)}; if c.pats[i].variant {cn+="(var)"}
    for _,ch:=range sy { nx,ok:=nodes[s][ch]; if !ok { nodes=append(nodes,node{}); nx=len(nodes)-1; nodes[s][ch]=nx; per[cn]++ }; s=nx } }
  fmt.Println("total",len(nodes))
  type kv struct{k string; v int}; var l []kv; for k,v:=range per { l=append(l,kv{k,v}) }
  for i:=range l { for j:=i+1;j<len(l);j++ { if l[j].v>l[i].v { l[i],l[j]=l[j],l[i] } } }
  for _,x:=range l[:40] { fmt.Println(x.v, strings.TrimSpace(x.k)) }
}
