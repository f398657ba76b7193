package inspect
import ("testing";"fmt";"os";"encoding/json")
func TestZZ(t *testing.T){ e:=MustNew(DefaultConfig()); b,_:=os.ReadFile("/tmp/solr.jsonl"); var r struct{Text string}; json.Unmarshal(b,&r)
 acc:=e.getAcc(); var tr []traceEvent; acc.trace=&tr; e.scanInto(r.Text,acc,Span{},false,0); for _,ev:=range tr { n:=e.concepts[ev.concept].name; if n=="leakobj"||n=="leakv" {fmt.Printf("%s %q\n", n, r.Text[ev.start:ev.end])} } }
